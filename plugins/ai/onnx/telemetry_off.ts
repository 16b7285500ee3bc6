/*
 * ONNX Runtime (1.2x and later, Linux and macOS) records a device id and a
 * telemetry database under ~/.cache/Microsoft/DeveloperTools/.onnxruntime and
 * would upload it to Microsoft. A school platform sends nothing of the sort:
 * the library honours ORT_DISABLE_TELEMETRY=1, read when it sets itself up, so
 * it is set here, before `onnxruntime-node` loads in any process (server,
 * workers, CLI, tests). An operator who sets the variable keeps their value.
 * docs/operations.md, "Security".
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1'
