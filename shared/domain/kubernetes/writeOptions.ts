// The apiserver's rules for the options of a write (create, update, patch):
// who the field manager is, and which option combinations are refused.
const MAX_MANAGER = 128;

/**
 * The manager of a write that names none (apiserver handlers/create.go
 * managerOrUserAgent / prefixFromUserAgent): the User-Agent up to its first
 * `/`, printable characters only, at most 128 of them. kubectl names its own
 * (`kubectl-client-side-apply`, `kubectl-edit`, `kubectl-set`, ...), so this
 * is `kubectl` only for commands that do not.
 */
export function managerOf(fieldManager: string | null, userAgent: string | null): string {
  if (fieldManager) return fieldManager;
  return [...(userAgent ?? '').split('/')[0]!].filter((ch) => /\P{C}/u.test(ch)).join('').slice(0, MAX_MANAGER);
}

/**
 * The apiserver's checks of the write options (apimachinery
 * apis/meta/v1/validation ValidatePatchOptions, ValidateFieldManager), as
 * Status causes: apply needs a fieldManager, only apply may force.
 */
export function writeOptionCauses(options: { fieldManager: string | null; force: string | null; apply: boolean | undefined }): { reason: string; message: string; field: string }[] {
  const causes: { reason: string; message: string; field: string }[] = [];
  if (options.apply === false && options.force !== null) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' });
  if (options.apply === true && !options.fieldManager) causes.push({ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' });
  const manager = options.fieldManager ?? '';
  if (manager.length > MAX_MANAGER) causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${MAX_MANAGER} bytes`, field: 'fieldManager' });
  if ([...manager].some((ch) => !/\P{C}/u.test(ch))) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(manager)}: invalid characters`, field: 'fieldManager' });
  return causes;
}
