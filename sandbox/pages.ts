import { h, page, raw, type RawHtml } from './html';
import { PLAYGROUND_USER_ID } from './seed';
import { FAULT_KINDS, TARGETS, type DirectoryUser, type FaultKind, type SandboxStateSnapshot, type Target } from './types';

/** Pages for a developer running the sandbox locally: `/` (overview) and `/mfasetup`. */

const MAX_ROWS = 500;

/**
 * Forms with `data-action` post JSON to the control API: `data-body` (JSON) merged with the
 * form's named fields (checkboxes as booleans, numbers as numbers, empty fields left out).
 */
const CONTROL_SCRIPT = `document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!form.dataset.action) return;
  event.preventDefault();
  const body = JSON.parse(form.dataset.body || '{}');
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') body[el.name] = el.checked;
    else if (el.value !== '') body[el.name] = el.type === 'number' ? Number(el.value) : el.value;
  }
  const method = form.dataset.method || 'POST';
  const response = await fetch(form.dataset.action, { method, headers: { 'content-type': 'application/json' }, body: method === 'DELETE' ? undefined : JSON.stringify(body) });
  if (!response.ok) alert(response.status + ' ' + await response.text());
  location.reload();
});`;

function controlForm(action: string, label: string, body: object = {}, fields: RawHtml = raw(''), method = 'POST'): RawHtml {
  return h`<form data-action="${action}" data-method="${method}" data-body="${JSON.stringify(body)}">${fields}<button type="submit">${label}</button></form>`;
}

function faultApplies(target: Target, kind: FaultKind): boolean {
  if (kind === 'mfaRequired' || kind === 'tokenRefused') return target === 'partnerCenter';
  if (kind === 'nonPremium') return target === 'graph';
  return true;
}

function userPath(objectId: string): string {
  return `/_sandbox/users/${encodeURIComponent(objectId)}`;
}

export function overviewPage(state: SandboxStateSnapshot, baseUrl: string): string {
  const upnOf = new Map(state.users.map((u) => [u.objectId, u.userPrincipalName]));
  const principals = [...state.principals].sort((a, b) => (b.lastNonMfaAt ?? '').localeCompare(a.lastNonMfaAt ?? ''));
  const pending = state.deviceCodes.filter((c) => c.status === 'pending');

  const quickFaults = TARGETS.flatMap((target) =>
    FAULT_KINDS.filter((kind) => faultApplies(target, kind)).map((kind) => controlForm('/_sandbox/faults', `${target}: ${kind}`, { target, kind })),
  );

  const body = h`<h1>MFA Shepherd sandbox</h1>
<p class="muted">Partner Center <code>${baseUrl}/pc</code> · Graph <code>${baseUrl}/graph</code> · Entra <code>${baseUrl}/entra</code> (msal calls to login.microsoftonline.com rewritten here) ·
<a href="/mfasetup">MFA setup</a> · <a href="/entra/devicelogin">Device login</a> · <a href="/_sandbox/state">state (JSON)</a> · now ${state.now}</p>
${controlForm('/_sandbox/reset', 'Reset to seed')}

<h2>Faults</h2>
${state.faults.length === 0
    ? h`<p class="muted">No active faults.</p>`
    : h`<ul>${state.faults.map((f) => h`<li>${f.target}: <b>${f.kind}</b> — ${f.remaining === null ? 'until cleared' : `${f.remaining} more`}, hits ${f.hits}${f.kind === 'throttle' ? `, Retry-After ${f.retryAfterSeconds}s` : ''}${f.kind === 'slow' ? `, ${f.delayMs} ms` : ''}</li>`)}</ul>`}
<div class="box">${quickFaults.map((f) => h`${f} `)}</div>
<div class="box">${controlForm('/_sandbox/faults', 'Add fault', {}, h`
<select name="target">${TARGETS.map((t) => h`<option>${t}</option>`)}</select>
<select name="kind">${FAULT_KINDS.map((k) => h`<option>${k}</option>`)}</select>
<label>times <input type="number" name="times" min="1" style="width:4rem"></label>
<label>Retry-After s <input type="number" name="retryAfterSeconds" min="0" style="width:4rem"></label>
<label>delay ms <input type="number" name="delayMs" min="0" style="width:5rem"></label> `)}
${controlForm('/_sandbox/faults', 'Clear all faults', {}, raw(''), 'DELETE')}</div>

<h2>Settings</h2>
<div class="box">${controlForm('/_sandbox/config', 'Save', {}, h`
<label><input type="checkbox" name="premium" ${state.config.premium ? 'checked' : ''}> Entra ID P1/P2 (Graph registration report)</label>
<label><input type="checkbox" name="autoApproveDeviceCodes" ${state.config.autoApproveDeviceCodes ? 'checked' : ''}> auto-approve device codes with MFA</label>
<label>page size <input type="number" name="pageSize" min="1" value="${state.config.pageSize}" style="width:5rem"></label> `)}</div>

<h2>Device codes waiting</h2>
${pending.length === 0
    ? h`<p class="muted">None.</p>`
    : h`<ul>${pending.map((c) => h`<li><code>${c.userCode}</code> for client ${c.clientId} (${c.scopes.join(' ')}) ${controlForm('/_sandbox/devicecodes/approve', 'Approve', { userCode: c.userCode }, h`<label><input type="checkbox" name="mfa" checked> with MFA</label> `)}</li>`)}</ul>`}

<h2>Non-compliant principals (${state.principals.length}; ${state.recordCount} records)</h2>
<table><thead><tr><th>UPN</th><th>Name</th><th>Records</th><th>Last non-MFA (UTC)</th><th>MFA registered</th><th>Manager</th><th></th></tr></thead><tbody>
${principals.slice(0, MAX_ROWS).map((p) => h`<tr><td>${p.upn}</td><td>${p.displayName}</td><td>${p.recordCount}</td><td>${p.lastNonMfaAt ?? '—'}</td>
<td>${p.isMfaRegistered ? h`<span class="ok">yes</span>` : h`<span class="bad">no</span>`}</td><td>${p.managerId === null ? '—' : upnOf.get(p.managerId) ?? p.managerId}</td>
<td>${p.isMfaRegistered ? '' : controlForm(`${userPath(p.objectId)}/registration`, 'Register MFA', { isMfaRegistered: true })}
${controlForm(`${userPath(p.objectId)}/nonMfaRecord`, 'Add non-MFA record')}</td></tr>`)}
</tbody></table>
${principals.length > MAX_ROWS ? h`<p class="muted">First ${MAX_ROWS} shown.</p>` : ''}`;
  return page('MFA Shepherd sandbox', body, CONTROL_SCRIPT);
}

/** Playground user first, then by name. */
export function mfaSetupOrder(users: DirectoryUser[]): DirectoryUser[] {
  return [...users].sort((a, b) => {
    if (a.objectId === PLAYGROUND_USER_ID) return -1;
    if (b.objectId === PLAYGROUND_USER_ID) return 1;
    return a.displayName.localeCompare(b.displayName);
  });
}

/** Stand-in for https://aka.ms/mfasetup: one "Complete MFA registration" button per user (no script). */
export function mfaSetupPage(users: DirectoryUser[], done: DirectoryUser | undefined): string {
  const body = h`<h1>Security info — MFA setup (sandbox)</h1>
<p class="muted">Stand-in for https://aka.ms/mfasetup. Completing registration adds Microsoft Authenticator for the user. <a href="/">Sandbox overview</a></p>
${done === undefined ? '' : h`<p class="ok" role="status">MFA registration completed for ${done.displayName} (${done.userPrincipalName}).</p>`}
<table><thead><tr><th>User</th><th>UPN</th><th>Status</th><th></th></tr></thead><tbody>
${mfaSetupOrder(users).slice(0, MAX_ROWS).map((u) => h`<tr><td>${u.displayName}</td><td>${u.userPrincipalName}</td>
<td>${u.isMfaRegistered ? h`<span class="ok">Registered (${u.methods.join(', ')})</span>` : h`<span class="bad">Not registered</span>`}</td>
<td><form method="post" action="/mfasetup"><input type="hidden" name="objectId" value="${u.objectId}"><button type="submit">Complete MFA registration</button></form></td></tr>`)}
</tbody></table>`;
  return page('MFA setup (sandbox)', body);
}
