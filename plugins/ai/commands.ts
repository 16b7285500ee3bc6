import { definePluginCommand, dispatchJob, E_VALIDATION } from '@oryne/sdk'
import * as ai from './index.js'

/*
 * `oryne ai`: the model lifecycle for platform admins (training, the
 * registry, promotion, evaluation). Core runs each in the tenant's context
 * once it has checked the tenant enabled the module; they call the plugin's
 * own services, the code the HTTP API and the jobs run.
 */

const KINDS = 'recommendations | plagiarism | at_risk'

const metric = (value: unknown) => (typeof value === 'number' ? value.toFixed(4) : '')

const train = definePluginCommand({
  name: 'train',
  description: 'train a model of a tenant: recommendations, plagiarism or at_risk',
  define: (command) =>
    command
      .argument('<kind>', KINDS)
      .option('--wait', 'train in this process and print the outcome (default: queue a job)'),
  async run({ args, options, tenant, actor, print, write, fail }) {
    const kind = ai.modelKind(args[0])
    if (!options.wait) {
      const jobId = await dispatchJob(ai.trainModelJob, { kind, actor })
      return print({ queued: true, job_id: jobId, kind }, () =>
        write(`Queued training of ${kind} for ${tenant.slug} (job ${jobId}).\n`)
      )
    }
    const outcome = await ai.trainModel(kind, actor)
    const { model } = outcome
    print(outcome, () =>
      write(
        `${model.kind} version ${model.version}: ${model.status}` +
          `${model.error ? ` (${model.error})` : ''}, ${model.size_bytes} bytes.\n`
      )
    )
    if (!outcome.promoted) fail()
  },
})

const models = definePluginCommand({
  name: 'models',
  description: "a tenant's model registry, newest first per kind",
  define: (command) => command.option('--kind <kind>', 'only this kind'),
  async run({ options, print, table }) {
    const listed = await ai.listModels(options.kind ? ai.modelKind(options.kind) : undefined)
    print({ models: listed }, () =>
      table(
        ['kind', 'version', 'status', 'source', 'size', 'metric', 'created_at'],
        listed.map((model) => [
          model.kind,
          model.version,
          model.status,
          model.source,
          model.size_bytes,
          metric(ai.primaryMetric(model.kind, model.metrics)),
          String(model.created_at),
        ])
      )
    )
  },
})

const promote = definePluginCommand({
  name: 'promote',
  description: 'promote a version of a kind (refused for failed, rejected or worse models)',
  define: (command) =>
    command.argument('<kind>', KINDS).argument('<version>', 'the version to promote'),
  async run({ args: [kind, version], actor, print, write }) {
    if (!/^\d{1,9}$/.test(version))
      throw new E_VALIDATION([], {
        details: [{ field: 'version', rule: 'integer', message: 'The version is a whole number' }],
      })
    const model = ai.presentModel(await ai.promoteModel(ai.modelKind(kind), Number(version), actor))
    print({ model }, () => write(`${model.kind} version ${model.version} is promoted.\n`))
  },
})

const evaluate = definePluginCommand({
  name: 'evaluate',
  description: 'measure a kind on a held-out split of the tenant data, next to its baseline',
  define: (command) => command.argument('<kind>', KINDS),
  async run({ args: [kind], print, table, write }) {
    const evaluation = await ai.evaluate(ai.modelKind(kind))
    print({ kind, ...evaluation }, () => {
      table(
        ['', ...Object.keys(evaluation.rows[0]?.metrics ?? {})],
        evaluation.rows.map((row) => [row.name, ...Object.values(row.metrics).map(metric)])
      )
      write(`${evaluation.summary}\n`)
    })
  },
})

export default [train, models, promote, evaluate]
