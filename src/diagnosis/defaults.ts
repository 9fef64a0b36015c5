// DESIGN section 3: the default action and severity of every category. Policy may override the
// action from config; the classifier only reports the default.
import type { Action, Category, Severity } from './types.js';

export const CATEGORY_DEFAULTS: Readonly<Record<Category, { action: Action; severity: Severity }>> = {
  'image.pulling': { action: 'wait', severity: 'info' },
  'image.not_found': { action: 'stop', severity: 'error' },
  'image.access_denied': { action: 'stop', severity: 'error' },
  'image.invalid_name': { action: 'stop', severity: 'error' },
  'image.registry_unreachable': { action: 'wait', severity: 'warning' },
  'volume.pvc_not_found': { action: 'stop', severity: 'error' },
  'volume.pvc_pending': { action: 'wait', severity: 'warning' },
  'volume.sshfs_attach_failed': { action: 'stop', severity: 'error' },
  'volume.sshfs_mount_failed': { action: 'stop', severity: 'error' },
  'volume.mount_failed': { action: 'stop', severity: 'error' },
  'volume.attach_failed': { action: 'stop', severity: 'error' },
  'config.missing_reference': { action: 'stop', severity: 'error' },
  'scheduling.insufficient_resources': { action: 'stop', severity: 'error' },
  'scheduling.unsatisfiable': { action: 'stop', severity: 'error' },
  'scheduling.no_matching_node': { action: 'stop', severity: 'error' },
  'runtime.crash_loop': { action: 'stop', severity: 'error' },
  'runtime.oom_killed': { action: 'stop', severity: 'error' },
  'runtime.start_failed': { action: 'stop', severity: 'error' },
  'quota.exceeded': { action: 'stop', severity: 'error' },
  'pod.evicted': { action: 'stop', severity: 'error' },
  'sandbox.failed': { action: 'wait', severity: 'warning' },
  'unknown.warning': { action: 'stop', severity: 'warning' },
  normal: { action: 'none', severity: 'info' },
};
