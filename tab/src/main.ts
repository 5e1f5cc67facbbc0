import './style.css';
import { ApiError, createApi, type Api } from './api';
import { signIn, type TabConfig } from './auth';
import { drawTrend, type TrendPoint } from './chart';
import { h, STATUS_TEXT, when } from './dom';

/**
 * The Compliance tab. Admins: counts, the 90-day trend, the who-list (filter, search, sort, page,
 * CSV, bulk actions), the exception board and the audit. Everyone else: their own status.
 */

interface Row {
  objectId: string;
  upn: string;
  status: string;
  lastNonMfaAt: string;
  firstDetectedAt: string;
  recordCount: number;
  reachable: boolean;
  unreachableReason?: string;
  remindersSent: number;
  snoozedUntil?: string;
  escalationStep?: string;
  exception?: { id: string; status: string };
  exclusion?: { reason: string; until: string; by: string };
  integrations?: { name: string; applicationId?: string; nonMfa: number }[];
}
interface Me {
  user: { oid: string; name?: string; upn?: string };
  roles: { admin: boolean; approver: boolean };
  links: { mfaSetup: string };
  listed: boolean;
  row?: Row;
  requests: { id: string; status: string; updatedAt: string }[];
}
interface Summary {
  counts: Record<'nonCompliant' | 'verificationPending' | 'compliant' | 'unreachable' | 'excluded' | 'snoozed' | 'withException', number>;
  trend: TrendPoint[];
  lastSync?: { at: string; outcome: string };
  connection: { connected: boolean; account?: string; connectedBy?: string; connectedAt?: string; tokenHasMfa?: boolean; refreshTokenAgeDays?: number; warning?: string };
}
interface Page {
  total: number;
  page: number;
  pageSize: number;
  rows: Row[];
}

const appEl = document.getElementById('app') as HTMLElement;
const whoEl = document.getElementById('signed-in') as HTMLElement;
const bannerEl = document.getElementById('banner') as HTMLElement;

function say(message: string, kind: 'info' | 'error' = 'info'): void {
  bannerEl.hidden = false;
  bannerEl.className = `banner ${kind}`;
  bannerEl.textContent = message;
}

function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

function section(title: string, id: string, ...children: (Node | string)[]): HTMLElement {
  return h('section', { id, class: 'card', 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);
}

function rowStatus(r: Row): HTMLElement {
  return h('span', { class: `pill ${r.status}` }, STATUS_TEXT[r.status] ?? r.status);
}

// ------------------------------------------------------------------ your own status

function ownStatus(me: Me): HTMLElement {
  const r = me.row;
  if (!me.listed || !r) {
    return section('Your status', 'me', h('p', { class: 'ok', 'data-testid': 'me-status' }, 'Partner Center lists no request of yours without MFA. Nothing to do.'));
  }
  const facts: [string, string][] = [
    ['Status', STATUS_TEXT[r.status] ?? r.status],
    ['Last request without MFA', when(r.lastNonMfaAt)],
    ['Reminders sent', String(r.remindersSent)],
    ['Snoozed until', when(r.snoozedUntil)],
    ['Exception request', r.exception ? `${r.exception.id} (${r.exception.status})` : 'none'],
    ...(r.exclusion ? ([['Excluded by an admin until', `${when(r.exclusion.until, 'date')}: ${r.exclusion.reason}`]] as [string, string][]) : []),
  ];
  return section(
    'Your status',
    'me',
    h('dl', { class: 'facts', 'data-testid': 'me-status' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    r.status === 'compliant' ? '' : h('p', {}, 'Set up MFA at ', h('a', { href: me.links.mfaSetup, target: '_blank', rel: 'noopener' }, 'the registration page'), ', then tell MFA Shepherd in chat: "I\'m done".'),
  );
}

// ------------------------------------------------------------------ admin: summary + chart

function summaryView(s: Summary): HTMLElement {
  const tiles: [string, number, string][] = [
    ['Non-compliant', s.counts.nonCompliant, 'bad'],
    ['Verifying', s.counts.verificationPending, 'warn'],
    ['Unreachable', s.counts.unreachable, 'warn'],
    ['Snoozed', s.counts.snoozed, ''],
    ['With an exception request', s.counts.withException, ''],
    ['Excluded', s.counts.excluded, ''],
    ['Compliant (resolved)', s.counts.compliant, 'good'],
  ];
  const c = s.connection;
  const connection = h(
    'div',
    { class: `connection ${c.warning ? 'warn' : ''}`, 'data-testid': 'connection' },
    h('strong', {}, 'Partner Center connection: '),
    c.connected ? `connected${c.account ? ` as ${c.account}` : ''}` : 'not connected',
    c.connectedBy ? ` · by ${c.connectedBy} on ${when(c.connectedAt, 'date')}` : '',
    c.tokenHasMfa === undefined ? '' : ` · token ${c.tokenHasMfa ? 'carries MFA' : 'has NO MFA claim'}`,
    c.refreshTokenAgeDays === undefined ? '' : ` · refresh token ${c.refreshTokenAgeDays} of 90 days old`,
    c.warning ? h('div', { class: 'warning' }, `⚠ ${c.warning}`) : '',
  );
  const canvas = h('canvas', { id: 'trend-chart', 'aria-label': 'Non-compliant, new and resolved per day over 90 days', role: 'img' });
  const chartBox = h('div', { class: 'chart' }, canvas);
  const el = section(
    'Overview',
    'summary',
    h('div', { class: 'tiles' }, ...tiles.map(([label, n, kind]) => h('div', { class: `tile ${kind}` }, h('div', { class: 'n' }, String(n)), h('div', { class: 'label' }, label)))),
    connection,
    h('h3', {}, 'Compliance over the last 90 days'),
    s.trend.length === 0 ? h('p', { class: 'muted' }, 'No successful sync yet.') : chartBox,
    s.lastSync ? h('p', { class: 'muted' }, `Last sync ${when(s.lastSync.at)}: ${s.lastSync.outcome}`) : '',
  );
  if (s.trend.length > 0) requestAnimationFrame(() => drawTrend(canvas, s.trend));
  return el;
}

// ------------------------------------------------------------------ admin: who-list

function whoList(api: Api): HTMLElement {
  const state = { status: 'open', reachable: '', excluded: '', q: '', sort: 'lastNonMfaAt', dir: 'desc', page: 1, pageSize: 25 };
  const selected = new Set<string>();
  const tbody = h('tbody');
  const info = h('span', { class: 'muted', 'data-testid': 'who-total' });
  const pager = h('div', { class: 'pager' });

  const params = (extra: Record<string, string> = {}) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...state, ...extra })) if (v !== '' && v !== undefined) p.set(k, String(v));
    return p.toString();
  };

  const select = (name: keyof typeof state, options: [string, string][], label: string) =>
    h('label', {}, `${label} `, h('select', { name, 'data-filter': name, onchange: (e: Event) => {
      (state as Record<string, unknown>)[name] = (e.target as HTMLSelectElement).value;
      state.page = 1;
      void load();
    } }, ...options.map(([v, t]) => h('option', { value: v, selected: state[name] === v }, t))));

  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  const search = h('input', { type: 'search', placeholder: 'Search UPN or object id', 'data-filter': 'q', 'aria-label': 'Search', oninput: (e: Event) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.q = (e.target as HTMLInputElement).value;
      state.page = 1;
      void load();
    }, 250);
  } });

  const header = (key: string, text: string) =>
    h('th', { scope: 'col', class: key === state.sort ? `sorted ${state.dir}` : '', 'data-sort': key, onclick: () => {
      state.dir = state.sort === key && state.dir === 'asc' ? 'desc' : 'asc';
      state.sort = key;
      void load();
    } }, text);

  const reason = h('input', { type: 'text', maxlength: 500, placeholder: 'Reason (e.g. break-glass account)', 'aria-label': 'Exclusion reason' });
  const until = h('input', { type: 'date', 'aria-label': 'Excluded until', value: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10) });

  const act = async (what: () => Promise<{ done: string[]; skipped: { objectId: string; why: string }[] }>, verb: string) => {
    if (selected.size === 0) return say('Select at least one account first.');
    try {
      const result = await what();
      say(`${verb}: ${result.done.length} done${result.skipped.length ? `, ${result.skipped.length} skipped (${result.skipped.map((s) => s.why).join(', ')})` : ''}. Recorded in the audit.`);
      selected.clear();
      await load();
    } catch (error) {
      say(errorText(error), 'error');
    }
  };

  const toolbar = h(
    'div',
    { class: 'toolbar' },
    select('status', [['open', 'Needs action'], ['nonCompliant', 'Non-compliant'], ['verificationPending', 'Verifying'], ['compliant', 'Compliant'], ['', 'Everyone']], 'Status'),
    select('reachable', [['', 'Any'], ['yes', 'Reachable'], ['no', 'Unreachable']], 'Reach'),
    select('excluded', [['', 'Any'], ['no', 'Not excluded'], ['yes', 'Excluded']], 'Exclusion'),
    search,
    h('button', { type: 'button', 'data-action': 'csv', onclick: () => void api.download(`/api/dashboard/principals?${params({ format: 'csv', page: '', pageSize: '' })}`).then((name) => say(`Downloaded ${name} (recorded in the audit).`), (e: unknown) => say(errorText(e), 'error')) }, 'Download CSV'),
  );
  const bulk = h(
    'div',
    { class: 'toolbar bulk' },
    h('strong', {}, 'With the selected: '),
    h('button', { type: 'button', 'data-action': 'remind', onclick: () => void act(() => api.post('/api/dashboard/actions/remind', { objectIds: [...selected] }), 'Remind now') }, 'Remind now'),
    reason,
    until,
    h('button', { type: 'button', 'data-action': 'exclude', onclick: () => void act(() => api.post('/api/dashboard/actions/exclude', { objectIds: [...selected], reason: reason.value, until: new Date(`${until.value}T00:00:00`).toISOString() }), 'Exclude') }, 'Exclude'),
  );

  const table = h('table', { class: 'who-list', 'data-testid': 'who-table' });

  function render(page: Page): void {
    table.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), header('upn', 'User'), header('status', 'Status'), header('lastNonMfaAt', 'Last request without MFA'), h('th', { scope: 'col' }, 'Reachable'), header('remindersSent', 'Reminders'), h('th', { scope: 'col' }, 'Snoozed until'), h('th', { scope: 'col' }, 'Escalation'), h('th', { scope: 'col' }, 'Exception'), h('th', { scope: 'col' }, 'Integration'), h('th', { scope: 'col' }, 'Excluded'))),
      tbody,
    );
    tbody.replaceChildren(
      ...page.rows.map((r) =>
        h(
          'tr',
          { 'data-object-id': r.objectId },
          h('td', {}, h('input', { type: 'checkbox', 'aria-label': `Select ${r.upn}`, checked: selected.has(r.objectId), onchange: (e: Event) => ((e.target as HTMLInputElement).checked ? selected.add(r.objectId) : selected.delete(r.objectId)) })),
          h('td', { class: 'upn', title: r.objectId }, r.upn || r.objectId),
          h('td', {}, rowStatus(r)),
          h('td', {}, when(r.lastNonMfaAt)),
          h('td', { title: r.unreachableReason ?? '' }, r.reachable ? 'yes' : 'no'),
          h('td', { class: 'num' }, String(r.remindersSent)),
          h('td', {}, when(r.snoozedUntil, 'date')),
          h('td', {}, r.escalationStep ?? '—'),
          h('td', {}, r.exception ? `${r.exception.id} · ${r.exception.status}` : '—'),
          h('td', { title: (r.integrations ?? []).map((a) => `${a.name}${a.applicationId ? ` (${a.applicationId})` : ''}: ${a.nonMfa} calls without MFA`).join('\n') }, r.integrations?.length ? r.integrations.map((a) => a.name).join(', ') : '—'),
          h('td', { title: r.exclusion?.reason ?? '' }, r.exclusion ? h('span', {}, `until ${when(r.exclusion.until, 'date')} `, h('button', { type: 'button', class: 'link', onclick: () => void api.post('/api/dashboard/actions/end-exclusion', { objectId: r.objectId }).then(() => load(), (e: unknown) => say(errorText(e), 'error')) }, 'end')) : '—'),
        ),
      ),
    );
    if (page.rows.length === 0) tbody.append(h('tr', {}, h('td', { colspan: 11, class: 'muted' }, 'Nobody matches.')));
    info.textContent = `${page.total} ${page.total === 1 ? 'person' : 'people'}`;
    const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
    pager.replaceChildren(
      h('button', { type: 'button', disabled: page.page <= 1, onclick: () => { state.page -= 1; void load(); } }, '‹ Previous'),
      h('span', {}, ` Page ${page.page} of ${pages} `),
      h('button', { type: 'button', disabled: page.page >= pages, onclick: () => { state.page += 1; void load(); } }, 'Next ›'),
    );
  }

  async function load(): Promise<void> {
    table.setAttribute('aria-busy', 'true');
    try {
      render(await api.get<Page>(`/api/dashboard/principals?${params()}`));
    } catch (error) {
      say(errorText(error), 'error');
    } finally {
      table.setAttribute('aria-busy', 'false');
    }
  }
  void load();
  return section('Who is affected', 'who', toolbar, bulk, h('div', { class: 'scroll' }, table), h('div', { class: 'footer' }, info, pager));
}

// ------------------------------------------------------------------ admin: exceptions + audit

async function exceptionsView(api: Api): Promise<HTMLElement> {
  const { rows } = await api.get<{ rows: { id: string; requesterUpn: string; status: string; waitingFor?: string; slaDueAt?: string; slaState?: string; breached: boolean; updatedAt: string }[] }>('/api/dashboard/exceptions');
  return section(
    'Technical exceptions',
    'exceptions',
    rows.length === 0
      ? h('p', { class: 'muted' }, 'No exception requests.')
      : h('div', { class: 'scroll' }, h('table', {},
          h('thead', {}, h('tr', {}, ...['Request', 'Requester', 'Status', 'Waiting for', 'SLA due', 'SLA'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...rows.map((r) => h('tr', { class: r.breached ? 'breached' : '' }, h('td', {}, r.id), h('td', {}, r.requesterUpn), h('td', {}, r.status), h('td', {}, r.waitingFor ?? '—'), h('td', {}, when(r.slaDueAt)), h('td', {}, r.breached ? 'BREACHED' : (r.slaState ?? '—'))))),
        )),
  );
}

async function auditView(api: Api): Promise<HTMLElement> {
  const audit = await api.get<{ admin: { at: string; actorId: string; action: string; channel: string; target?: string; from?: string; to?: string; correlationId: string }[]; exception: { at: string; actor: string; requestId: string; action: string; from: string; to: string }[] }>('/api/dashboard/audit?limit=100');
  const adminTable = h('table', { 'data-testid': 'admin-audit' },
    h('thead', {}, h('tr', {}, ...['When', 'Who', 'What', 'On', 'From', 'To', 'Correlation id'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...audit.admin.map((e) => h('tr', {}, h('td', {}, when(e.at)), h('td', {}, e.actorId), h('td', {}, `${e.action} (${e.channel})`), h('td', {}, e.target ?? ''), h('td', {}, e.from ?? ''), h('td', {}, e.to ?? ''), h('td', { class: 'mono' }, e.correlationId)))),
  );
  const exceptionTable = h('table', {},
    h('thead', {}, h('tr', {}, ...['When', 'Who', 'Request', 'What', 'From', 'To'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...audit.exception.map((e) => h('tr', {}, h('td', {}, when(e.at)), h('td', {}, e.actor), h('td', {}, e.requestId), h('td', {}, e.action), h('td', {}, e.from), h('td', {}, e.to)))),
  );
  return section(
    'Audit',
    'audit',
    h('div', { class: 'toolbar' }, h('button', { type: 'button', 'data-action': 'audit-csv', onclick: () => void api.download('/api/dashboard/audit?format=csv').then((n) => say(`Downloaded ${n}.`), (e: unknown) => say(errorText(e), 'error')) }, 'Download admin audit (CSV)')),
    h('div', { class: 'columns' }, h('div', {}, h('h3', {}, 'Admin actions'), h('div', { class: 'scroll' }, adminTable)), h('div', {}, h('h3', {}, 'Exception requests'), h('div', { class: 'scroll' }, exceptionTable))),
  );
}

// ------------------------------------------------------------------ start

async function start(): Promise<void> {
  const config = (await (await fetch('/tab/config.json')).json()) as TabConfig;
  const session = await signIn(config);
  const api = createApi(() => session.token());
  const me = await api.get<Me>('/api/dashboard/me');
  whoEl.textContent = `${me.user.name ?? me.user.upn ?? me.user.oid}${me.roles.admin ? ' · admin' : ''}${me.roles.approver ? ' · approver' : ''}${session.mode === 'dev' ? ' · local dev sign-in' : ''}`;
  if (!me.roles.admin) {
    appEl.replaceChildren(ownStatus(me));
  } else {
    const summary = await api.get<Summary>('/api/dashboard/summary');
    appEl.replaceChildren(summaryView(summary), whoList(api), h('div', { id: 'later' }));
    const later = document.getElementById('later') as HTMLElement;
    later.replaceChildren(await exceptionsView(api), await auditView(api));
  }
  appEl.setAttribute('aria-busy', 'false');
  document.body.dataset['ready'] = 'true';
}

start().catch((error: unknown) => {
  appEl.setAttribute('aria-busy', 'false');
  appEl.replaceChildren(h('p', { class: 'error' }, `The Compliance tab could not load: ${errorText(error)}`));
  document.body.dataset['ready'] = 'error';
});
