import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { fitLogistic, logisticModelGraph } from '#plugins/ai/onnx/logistic_graph'

/*
 * ONNX Runtime leaves no telemetry behind: a fresh process (its own HOME,
 * nothing set by the test runner) loads the library the way Oryne does,
 * runs a model, and ~/.cache/Microsoft is never created.
 */

const RUNTIME = new URL('../../plugins/ai/onnx/runtime.ts', import.meta.url)
const TS_LOADER = import.meta.resolve('@poppinss/ts-exec')

const PROBE = `
const { default: ort } = await import(process.argv[2])
const session = await ort.InferenceSession.create(process.argv[3])
const output = await session.run({
  features: new ort.Tensor('float32', Float32Array.from([1, 0, 0, 1]), [2, 2]),
})
await session.release()
console.log(JSON.stringify(Array.from(output.probability.data)))
`

function run(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, args, {
      env,
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

test.group('ONNX Runtime telemetry', () => {
  test('loading and running a model writes nothing under ~/.cache/Microsoft', async ({
    assert,
  }) => {
    const home = await mkdtemp(join(tmpdir(), 'oryne-ort-home-'))
    try {
      const model = fitLogistic(
        ['a', 'b'],
        [
          [1, 0],
          [0, 1],
          [1, 1],
          [0, 0],
        ],
        [1, 0, 1, 0]
      )
      const modelFile = join(home, 'model.onnx')
      await writeFile(modelFile, logisticModelGraph(model))
      const probe = join(home, 'probe.mjs')
      await writeFile(probe, PROBE)
      // Only what a process needs to start: no ORT_DISABLE_TELEMETRY from the parent.
      const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: undefined }
      const result = await run(
        ['--import', TS_LOADER, probe, pathToFileURL(fileURLToPath(RUNTIME)).href, modelFile],
        env
      )
      assert.equal(result.code, 0, result.stderr)
      assert.lengthOf(JSON.parse(result.stdout), 2)
      assert.isFalse(existsSync(join(home, '.cache', 'Microsoft')))
      assert.isFalse(existsSync(join(home, '.cache')))
    } finally {
      await rm(home, { recursive: true, force: true })
    }
  }).timeout(60_000)
})
