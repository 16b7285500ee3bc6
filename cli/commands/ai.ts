import type { Command } from 'commander'
import type { Tenant } from '#core/tenancy/types'
import { cliActor } from '../actor.js'
import { printJson, printTable } from '../output.js'
import { withRuntime, type Runtime } from '../runtime.js'

/*
 * `oryne ai`: the AI plugin's model lifecycle for platform admins (training,
 * the registry, promotion, evaluation). Every command runs the plugin's own
 * services in the tenant's context, the same code the HTTP API and the jobs run.
 */

/** The tenant, which must have the AI module enabled. */
async function aiTenant(runtime: Runtime, slug: string): Promise<Tenant> {
  const host = await runtime.app.container.make('oryne.plugins')
  const tenancy = await runtime.app.container.make('oryne.tenancy')
  const { E_PLUGIN_DISABLED, E_TENANT_NOT_READY } = await import('#core/errors')
  const tenant = await tenancy.registry.findOrFail(slug)
  if (tenant.status !== 'active' && tenant.status !== 'suspended')
    throw new E_TENANT_NOT_READY([tenant.slug, tenant.status])
  if (!(await host.isEnabled(tenant.id, 'ai'))) throw new E_PLUGIN_DISABLED(['ai'])
  return tenant
}

/** Runs `fn` with the AI plugin's services in the tenant's context. */
async function inTenant<T>(
  slug: string,
  fn: (ai: typeof import('#plugins/ai/index'), runtime: Runtime) => Promise<T>
) {
  return withRuntime(async (runtime) => {
    const tenant = await aiTenant(runtime, slug)
    const { tenantContext } = await import('#core/tenancy/context')
    const ai = await import('#plugins/ai/index')
    return tenantContext.run(tenant, () => fn(ai, runtime))
  })
}

const metric = (value: unknown) => (typeof value === 'number' ? value.toFixed(4) : '')

export function registerAi(program: Command) {
  const ai = program
    .command('ai')
    .description('models of the AI module: train, list, promote, evaluate (docs/plugins/ai.md)')

  ai.command('train')
    .description('train a model of a tenant: recommendations, plagiarism or at_risk')
    .argument('<kind>', 'recommendations | plagiarism | at_risk')
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--wait', 'train in this process and print the outcome (default: queue a job)')
    .option('--json', 'print JSON')
    .action(async (kind: string, options: { tenant: string; wait?: boolean; json?: boolean }) => {
      await inTenant(options.tenant, async (plugin) => {
        const modelKind = plugin.modelKind(kind)
        if (!options.wait) {
          const { dispatchJob } = await import('#core/sdk/services')
          const jobId = await dispatchJob(plugin.trainModelJob, {
            kind: modelKind,
            actor: cliActor(),
          })
          if (options.json)
            return printJson({ ok: true, queued: true, job_id: jobId, kind: modelKind })
          process.stdout.write(
            `Queued training of ${modelKind} for ${options.tenant} (job ${jobId}).\n`
          )
          return
        }
        const outcome = await plugin.trainModel(modelKind, cliActor())
        if (options.json) return printJson({ ok: true, ...outcome })
        const { model } = outcome
        process.stdout.write(
          `${model.kind} version ${model.version}: ${model.status}` +
            `${model.error ? ` (${model.error})` : ''}, ${model.size_bytes} bytes.\n`
        )
        if (!outcome.promoted) process.exitCode = 1
      })
    })

  ai.command('models')
    .description("a tenant's model registry, newest first per kind")
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--kind <kind>', 'only this kind')
    .option('--json', 'print JSON')
    .action(async (options: { tenant: string; kind?: string; json?: boolean }) => {
      await inTenant(options.tenant, async (plugin) => {
        const models = await plugin.listModels(
          options.kind ? plugin.modelKind(options.kind) : undefined
        )
        if (options.json) return printJson({ ok: true, models })
        printTable(
          ['kind', 'version', 'status', 'source', 'size', 'metric', 'created_at'],
          models.map((model) => [
            model.kind,
            model.version,
            model.status,
            model.source,
            model.size_bytes,
            metric(plugin.primaryMetric(model.kind, model.metrics)),
            model.created_at,
          ])
        )
      })
    })

  ai.command('promote')
    .description('promote a version of a kind (refused for failed, rejected or worse models)')
    .argument('<kind>', 'recommendations | plagiarism | at_risk')
    .argument('<version>', 'the version to promote')
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--json', 'print JSON')
    .action(async (kind: string, version: string, options: { tenant: string; json?: boolean }) => {
      await inTenant(options.tenant, async (plugin) => {
        const { E_VALIDATION } = await import('#core/errors')
        if (!/^\d{1,9}$/.test(version))
          throw new E_VALIDATION([], {
            details: [
              { field: 'version', rule: 'integer', message: 'The version is a whole number' },
            ],
          })
        const model = await plugin.promoteModel(plugin.modelKind(kind), Number(version), cliActor())
        const shown = plugin.presentModel(model)
        if (options.json) return printJson({ ok: true, model: shown })
        process.stdout.write(`${shown.kind} version ${shown.version} is promoted.\n`)
      })
    })

  ai.command('evaluate')
    .description('measure a kind on a held-out split of the tenant data, next to its baseline')
    .argument('<kind>', 'recommendations | plagiarism | at_risk')
    .requiredOption('--tenant <slug>', 'the tenant')
    .option('--json', 'print JSON')
    .action(async (kind: string, options: { tenant: string; json?: boolean }) => {
      await inTenant(options.tenant, async (plugin) => {
        const evaluation = await plugin.evaluate(plugin.modelKind(kind))
        if (options.json) return printJson({ ok: true, kind, ...evaluation })
        printTable(
          ['', ...Object.keys(evaluation.rows[0]?.metrics ?? {})],
          evaluation.rows.map((row) => [row.name, ...Object.values(row.metrics).map(metric)])
        )
        process.stdout.write(`${evaluation.summary}\n`)
      })
    })
}
