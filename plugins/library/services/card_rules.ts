import { E_VALIDATION, type ResourceHooks, type ResourceRecord } from '@oryne/sdk'

/** A card rule names a role, a class, or both: one with neither would match nobody. */
function assertTarget(rule: Record<string, unknown>) {
  if (!rule.role && !rule.class_id) {
    throw new E_VALIDATION([], {
      details: [
        { field: 'role', rule: 'required_without', message: 'Give a role, a class_id, or both' },
      ],
    })
  }
}

export const cardRuleHooks: ResourceHooks = {
  beforeCreate(data) {
    assertTarget(data)
  },
  beforeUpdate(changes, before: ResourceRecord) {
    assertTarget({ ...before, ...changes })
  },
}
