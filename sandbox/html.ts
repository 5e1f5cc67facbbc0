import type { DeviceCodeView } from './types';

/** Escapes text and attribute values (every page value goes through this). */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Tagged template: interpolated values are escaped unless wrapped with `raw()`. */
export interface RawHtml {
  readonly rawHtml: string;
}

export function raw(markup: string): RawHtml {
  return { rawHtml: markup };
}

function render(value: unknown): string {
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object' && value !== null && 'rawHtml' in value) return (value as RawHtml).rawHtml;
  return escapeHtml(value);
}

export function h(strings: TemplateStringsArray, ...values: unknown[]): RawHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return raw(out);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:70rem;color:#222}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
form{display:inline;margin:0}fieldset{margin:.5rem 0;border:1px solid #ccc}button{cursor:pointer}
.ok{color:#176f2c}.bad{color:#a4262c}.muted{color:#666}.box{padding:.6rem;border:1px solid #ccc;border-radius:4px;margin:.5rem 0}`;

export function page(title: string, body: RawHtml, script?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body.rawHtml}${script === undefined ? '' : `<script>${script}</script>`}</body></html>`;
}

export interface DeviceLoginPageInput {
  userCode: string;
  error?: string;
  approved?: { view: DeviceCodeView; upn: string };
}

/** Stand-in for https://microsoft.com/devicelogin: enter the code, choose MFA, sign in. */
export function deviceLoginPage(input: DeviceLoginPageInput): string {
  if (input.approved !== undefined) {
    const { view, upn } = input.approved;
    return page('Signed in', h`<h1>Signed in</h1>
<p class="ok">Code ${view.userCode} approved for ${upn} ${view.mfa === true ? 'with MFA' : 'WITHOUT MFA'}.</p>
<p>You can close this window and return to the application.</p>
<p><a href="/entra/devicelogin">Enter another code</a> · <a href="/">Sandbox overview</a></p>`);
  }
  return page('Enter code', h`<h1>Enter code</h1>
<p>Sandbox Entra ID: enter the code displayed by the application to sign in as the admin agent.</p>
${input.error === undefined ? '' : h`<p class="bad" role="alert">${input.error}</p>`}
<form method="post" action="/entra/devicelogin">
<p><label>Code <input name="user_code" value="${input.userCode}" required autocomplete="off" autofocus></label></p>
<p><label><input type="checkbox" name="mfa" checked> Sign in with MFA</label></p>
<p><button type="submit">Sign in</button></p>
</form>`);
}
