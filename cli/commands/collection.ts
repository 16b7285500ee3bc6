import { readFile, writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { cliActor } from '../actor.js'
import { printJson, printTable } from '../output.js'
import { withRuntime } from '../runtime.js'
import { inTenant } from './user.js'

type TenantOptions = { tenant: string; json?: boolean }

/**
 * `oryne collection list|export|import`: a tenant's collections and their
 * templates (docs/collections.md, "Templates"), through the services the
 * admin API's routes call.
 */
export function registerCollection(program: Command) {
  const collection = program
    .command('collection')
    .description(
      'a tenant’s collections: list them, export one’s design as a template file, import a template'
    )

  collection
    .command('list')
    .description('list the tenant’s collections with their fields and records')
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--json', 'print JSON')
    .action(async (options: TenantOptions) => {
      await withRuntime(async (runtime) => {
        const { collectionSummaries } = await import('#core/collections/templates/template')
        const collections = await inTenant(runtime, options.tenant, () => collectionSummaries())
        if (options.json) return printJson({ ok: true, tenant: options.tenant, collections })
        if (!collections.length) {
          process.stdout.write(`Tenant ${options.tenant} has no collections.\n`)
          return
        }
        printTable(
          ['name', 'label', 'fields', 'records', 'views', 'forms', 'automations'],
          collections.map((c) => [
            c.name,
            c.label,
            c.fields,
            c.records,
            c.views,
            c.forms,
            c.automations,
          ])
        )
      })
    })

  collection
    .command('export')
    .description(
      'write a collection’s design (definition, views, forms, automations; no records) as a template (JSON)'
    )
    .argument('<name>', 'the collection')
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--out <file>', 'write the template to this file (default: standard output)')
    .option('--json', 'print JSON (the template is JSON either way; with --out, a summary)')
    .action(async (name: string, options: TenantOptions & { out?: string }) => {
      await withRuntime(async (runtime) => {
        const { collectionTemplate } = await import('#core/collections/templates/template')
        const template = await inTenant(runtime, options.tenant, () => collectionTemplate(name))
        const text = JSON.stringify(template, null, 2) + '\n'
        if (!options.out) return void process.stdout.write(text)
        await writeFile(options.out, text)
        if (options.json) return printJson({ ok: true, collection: name, out: options.out })
        process.stderr.write(`Wrote the template of collection ${name} to ${options.out}.\n`)
      })
    })

  collection
    .command('import')
    .description(
      'create a collection from a template file (its views, forms and automations too), optionally under another name'
    )
    .argument('<file>', 'a template written by `oryne collection export` (or the admin API)')
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--name <name>', 'the new collection’s name (default: the template’s)')
    .option('--json', 'print JSON')
    .action(async (file: string, options: TenantOptions & { name?: string }) => {
      const { E_COLLECTION_TEMPLATE_FORMAT } = await import('#core/collections/templates/errors')
      let template: unknown
      try {
        template = JSON.parse(await readFile(file, 'utf8'))
      } catch (error) {
        const why = (error as { code?: string }).code
          ? `${file} cannot be read (${(error as { code: string }).code})`
          : `${file} is not JSON`
        throw new E_COLLECTION_TEMPLATE_FORMAT([why])
      }
      await withRuntime(async (runtime) => {
        const { importCollectionTemplate } = await import('#core/collections/templates/template')
        const { SYSTEM_PRINCIPAL } = await import('#core/collections/records')
        // The operator at the CLI may do everything, and is named in the audit log as cli:<user>.
        const principal = { ...SYSTEM_PRINCIPAL, id: cliActor() }
        const imported = await inTenant(runtime, options.tenant, () =>
          importCollectionTemplate({ template, name: options.name }, { principal })
        )
        if (options.json) return printJson({ ok: true, ...imported })
        process.stdout.write(
          `Created collection ${imported.collection.name} in ${options.tenant}: ` +
            `${imported.views} view(s), ${imported.forms.length} form(s), ${imported.automations} automation(s).\n`
        )
        for (const form of imported.forms.filter((f) => f.slug !== f.template_slug))
          process.stdout.write(
            `  form ${form.template_slug} is ${form.slug} here (its slug was taken).\n`
          )
        for (const note of imported.needs_attention) process.stdout.write(`  ${note}\n`)
      })
    })
}
