/*
 * Reports (docs/reports.md): exports of resource lists to CSV/XLSX, PDF
 * documents plugins declare, dashboard statistics cached in Redis, and
 * scheduled reports delivered as notifications.
 */
export { defineDocument, type DocumentContext, type DocumentDefinition } from './define_document.js'
export { defineStat, type StatDefinition, type StatValue } from './define_stat.js'
export { DocumentWriter, type TableColumn } from './pdf_writer.js'
export { tenantFormat, type TenantFormat } from './format.js'
export { createExport, exportJob, runExport, type ExportRequest } from './exports.js'
export { EXPORT_FORMATS, type ExportFormat } from './export_writers.js'
