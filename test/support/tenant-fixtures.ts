import type { Tenant } from '../../functions/core/tenancy/tenancy-types.js';

type TenantLimits = Required<Pick<Tenant, 'max_budget' | 'budget_duration' | 'rpm_limit' | 'tpm_limit' | 'models' | 'end_user_max_budget'>>;

/** Every optional limit of a tenant, set: for tests that a tenant with all of them survives a round trip. */
export function everyTenantLimit(): TenantLimits {
  return {
    max_budget: 100,
    budget_duration: '1mo',
    rpm_limit: 600,
    tpm_limit: 100000,
    models: ['gpt-4o', 'demo'],
    end_user_max_budget: 5,
  };
}
