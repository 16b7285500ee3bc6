import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { test } from '@japa/runner'
import { defineResource, field } from '@oryne/sdk'
import { diffTables, renderMigration, unsafeReason } from '#core/resources/migration_generator'
import { snapshotTables, type TableSnapshot } from '#core/resources/snapshot'
import { compileSet } from '#core/tenancy/migrations/tenant_migrator'

const TMP = fileURLToPath(new URL('../../tmp/', import.meta.url))

const authors = defineResource({
  name: 'authors',
  fields: { name: field.string({ required: true }) },
})
const books = defineResource({
  name: 'books',
  fields: {
    title: field.string({ required: true, max: 120, unique: true }),
    summary: field.text(),
    copies: field.integer({ default: 1 }),
    price: field.decimal(),
    lendable: field.boolean({ default: true }),
    published_on: field.date({ index: true }),
    added_at: field.datetime(),
    state: field.enum(['draft', 'shelved'], { required: true, default: 'draft' }),
    meta: field.json(),
    author_id: field.reference('authors', { onDelete: 'cascade' }),
    added_by: field.reference('core.users'),
    cover: field.file(),
  },
})

/** Writes the generated migration, imports it and returns the SQL it compiles to. */
async function sqlOf(before: Record<string, TableSnapshot>, after: Record<string, TableSnapshot>) {
  // Inside the repository, so the generated file resolves @oryne/sdk; tmp/ is not in a fresh clone.
  await mkdir(TMP, { recursive: true })
  const dir = await mkdtemp(join(TMP, 'generator-'))
  try {
    const file = join(dir, '0001_generated.ts')
    await writeFile(file, renderMigration({ name: '0001_generated', before, after }))
    const migration = (await import(pathToFileURL(file).href)).default
    const [compiled] = compileSet({ owner: 'library', migrations: [migration] })
    const down = migration.down
      ? compileSet({ owner: 'down', migrations: [{ ...migration, up: migration.down }] })[0]
      : null
    return { up: compiled.sql.join(';\n'), down: down?.sql.join(';\n') ?? '' }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test.group('Migration generator', () => {
  test('a new resource becomes its table with the shared column mapping', async ({ assert }) => {
    const tables = snapshotTables('library', [books, authors])
    const { up, down } = await sqlOf({}, tables)
    // Referenced tables are created first.
    assert.isBelow(
      up.indexOf('create table "library_authors"'),
      up.indexOf('create table "library_books"')
    )
    for (const column of [
      '"id" bigserial primary key',
      '"title" varchar(120) not null',
      '"summary" text null',
      '"copies" integer null default \'1\'',
      '"price" decimal(12, 2) null',
      '"lendable" boolean null default \'1\'',
      '"published_on" date null',
      '"added_at" timestamptz null',
      `"state" text check ("state" in ('draft', 'shelved')) not null default 'draft'`,
      '"meta" jsonb null',
      '"author_id" bigint null',
      '"added_by" uuid null',
      '"cover" varchar(500) null',
      `"custom" jsonb not null default '{}'`,
      '"created_at" timestamptz not null default CURRENT_TIMESTAMP',
      '"updated_at" timestamptz not null default CURRENT_TIMESTAMP',
    ]) {
      assert.include(up, column)
    }
    assert.include(up, 'add constraint "library_books_title_unique" unique ("title")')
    assert.include(up, 'create index "library_books_published_on_index"')
    assert.include(up, 'create index "library_books_author_id_index"')
    assert.include(
      up,
      'foreign key ("author_id") references "library_authors" ("id") on delete CASCADE'
    )
    assert.include(up, 'foreign key ("added_by") references "users" ("id") on delete RESTRICT')
    assert.include(down, 'drop table "library_books"')
    assert.isBelow(
      down.indexOf('drop table "library_books"'),
      down.indexOf('drop table "library_authors"')
    )
  })

  test('changed resources become add, alter and drop column; down reverses them', async ({
    assert,
  }) => {
    const before = snapshotTables('library', [
      defineResource({
        name: 'books',
        customFields: false,
        fields: {
          title: field.string({ max: 100 }),
          state: field.enum(['draft']),
          isbn: field.string(),
        },
      }),
    ])
    const after = snapshotTables('library', [
      defineResource({
        name: 'books',
        customFields: false,
        fields: {
          title: field.string({ max: 200, index: true }),
          state: field.enum(['draft', 'shelved']),
          pages: field.integer(),
        },
      }),
    ])
    const changes = diffTables(before, after)
    assert.deepEqual(
      changes.map((change) => `${change.kind}:${'column' in change ? change.column : ''}`),
      ['alter_column:title', 'alter_column:state', 'add_column:pages', 'drop_column:isbn']
    )
    assert.isTrue(changes.every((change) => unsafeReason(change) === null))

    const { up, down } = await sqlOf(before, after)
    assert.include(up, 'alter column "title" type varchar(200)')
    assert.include(up, 'create index "library_books_title_index"')
    assert.include(
      up,
      `add constraint library_books_state_check check("state" in ('draft', 'shelved'))`
    )
    assert.include(up, 'add column "pages" integer null')
    assert.include(up, 'drop column "isbn"')
    assert.include(down, 'add column "isbn" varchar(255) null')
    assert.include(down, 'alter column "title" type varchar(100)')
    assert.include(down, `check("state" in ('draft'))`)
  })

  test('changes that could fail on existing rows are flagged', ({ assert }) => {
    const table = (fields: Record<string, ReturnType<typeof field.string>>) =>
      snapshotTables('library', [defineResource({ name: 'books', fields })])
    const reasons = (before: ReturnType<typeof table>, after: ReturnType<typeof table>) =>
      diffTables(before, after).map(unsafeReason).filter(Boolean)

    assert.match(
      reasons(table({}), table({ isbn: field.string({ required: true }) }))[0]!,
      /required column without a default/
    )
    assert.lengthOf(
      reasons(table({}), table({ isbn: field.string({ required: true, default: '-' }) })),
      0
    )
    assert.match(
      reasons(
        table({ title: field.string({ max: 200 }) }),
        table({ title: field.string({ max: 50 }) })
      )[0]!,
      /varchar\(200\) to varchar\(50\)/
    )
    assert.match(
      reasons(
        table({ title: field.string() }),
        table({ title: field.string({ required: true }) })
      )[0]!,
      /becomes required/
    )
    assert.match(
      reasons(
        table({ title: field.string() }),
        table({ title: field.string({ unique: true }) })
      )[0]!,
      /becomes unique/
    )
  })
})
