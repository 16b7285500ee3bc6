import { E_DOWNLOAD_LINK_INVALID, E_FILE_MISSING, E_LMS_NOT_FOUND } from '../errors.js'
import {
  actorOf,
  courseReach,
  inTransaction,
  seesStudentRecord,
  seesUnpublished,
  teaches,
  type Db,
  type Row,
} from './access.js'
import {
  filePath,
  removeFile,
  signedLink,
  storeUpload,
  validLink,
  type StoredFile,
} from './files.js'
import {
  type ResourceHooks,
  readTenantDb,
  withTenantDb,
  recordAudit,
  type Principal,
  type MultipartFile,
} from '@oryne/sdk'

/*
 * Files of materials and submissions: upload, signed links, download. A link
 * is handed only to who may see the record; the download itself needs no
 * bearer token (browsers follow it), only the link's valid signature.
 */

const BASE = '/api/v1/lms'

export type LinkQuery = { expires: string; signature: string }
export type Download = { path: string; name: string }

async function findMaterial(db: Db, id: string): Promise<Row> {
  const material = await db.client.from(db.table('lms_materials', 'm')).where('m.id', id).first()
  if (!material) throw new E_LMS_NOT_FOUND(['Material', id])
  return material
}

/** Stores the material's file (replacing an earlier one, removed once the change commits). */
export async function uploadMaterialFile(
  id: string,
  file: MultipartFile,
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const material = await trx.from('lms_materials').where('id', id).forUpdate().first()
    if (!material || !(await teaches(inTransaction(trx), principal, String(material.course_id)))) {
      throw new E_LMS_NOT_FOUND(['Material', id])
    }
    const stored = await storeUpload(file, `lms/materials/${id}`)
    trx.after('rollback', () => void removeFile(stored.key))
    if (material.file_key) {
      const previous = String(material.file_key)
      trx.after('commit', () => void removeFile(previous))
    }
    const [updated] = await trx
      .from('lms_materials')
      .where('id', id)
      .update({
        file_key: stored.key,
        file_name: stored.name,
        content_type: stored.content_type,
        size: stored.size,
        updated_at: new Date(),
      })
      .returning('*')
    await recordAudit(trx, {
      actor: actorOf(principal),
      action: 'lms.materials.upload',
      subject: `lms.materials:${id}`,
      data: {
        before: { file_name: material.file_name },
        after: { file_name: stored.name, size: stored.size },
      },
      request_id: requestId,
    })
    return updated
  })
}

/** Removes the file of a deleted material once the deletion commits. */
export const materialHooks: ResourceHooks = {
  async afterDelete(record, { trx }) {
    if (record.file_key) {
      const key = String(record.file_key)
      trx.after('commit', () => void removeFile(key))
    }
  },
}

const materialPath = (id: string) => `${BASE}/materials/${id}/download`
const submissionFilePath = (id: string, index: number) =>
  `${BASE}/submissions/${id}/files/${index}/download`

/** A signed link to the material's file, for who may see the material (students: published ones). */
export async function materialLink(id: string, principal: Principal, ttlSeconds: number) {
  return readTenantDb(async (client, table) => {
    const db = { client, table }
    const material = await findMaterial(db, id)
    const reach = await courseReach(db, principal, String(material.course_id))
    const visible =
      Object.values(reach).some(Boolean) && (material.published || seesUnpublished(reach))
    if (!visible) throw new E_LMS_NOT_FOUND(['Material', id])
    if (!material.file_key) throw new E_FILE_MISSING(['Material', id])
    return {
      ...signedLink(materialPath(id), material.file_key, ttlSeconds),
      file_name: material.file_name,
      content_type: material.content_type,
      size: material.size,
    }
  })
}

/** The file a signed material link points to; ERR_LMS_DOWNLOAD_LINK_INVALID when the link is not valid. */
export async function materialDownload(id: string, query: LinkQuery): Promise<Download> {
  return readTenantDb(async (client, table) => {
    const material = await client.from(table('lms_materials', 'm')).where('m.id', id).first()
    if (!material?.file_key || !validLink(materialPath(id), material.file_key, query)) {
      throw new E_DOWNLOAD_LINK_INVALID()
    }
    return { path: filePath(material.file_key), name: material.file_name ?? 'material' }
  })
}

async function visibleSubmissionFile(db: Db, principal: Principal, id: string, index: number) {
  const submission = await db.client
    .from(db.table('lms_submissions', 's'))
    .where('s.id', id)
    .first()
  if (!submission || !(await seesStudentRecord(db, principal, submission))) {
    throw new E_LMS_NOT_FOUND(['Submission', id])
  }
  const file = ((submission.files ?? []) as StoredFile[])[index]
  if (!file) throw new E_FILE_MISSING(['Submission', `${id} file ${index}`])
  return file
}

/** A signed link to one file of a submission, for who may see the submission. */
export async function submissionFileLink(
  id: string,
  index: number,
  principal: Principal,
  ttlSeconds: number
) {
  return readTenantDb(async (client, table) => {
    const file = await visibleSubmissionFile({ client, table }, principal, id, index)
    return {
      ...signedLink(submissionFilePath(id, index), file.key, ttlSeconds),
      file_name: file.name,
      content_type: file.content_type,
      size: file.size,
    }
  })
}

export async function submissionFileDownload(
  id: string,
  index: number,
  query: LinkQuery
): Promise<Download> {
  return readTenantDb(async (client, table) => {
    const submission = await client.from(table('lms_submissions', 's')).where('s.id', id).first()
    const file = ((submission?.files ?? []) as StoredFile[])[index]
    if (!file || !validLink(submissionFilePath(id, index), file.key, query))
      throw new E_DOWNLOAD_LINK_INVALID()
    return { path: filePath(file.key), name: file.name }
  })
}
