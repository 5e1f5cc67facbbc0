/** The integration watch's text commands (admins; an app's owner may open their own app). */
export type IntegrationCommand =
  | { name: 'integrations' }
  | { name: 'integration'; argument: string }
  | { name: 'integrationAdd'; argument: string }
  | { name: 'playbook'; argument?: string }
  | { name: 'incidentsHere' }
  | { name: 'incidentsOff' }
  | { name: 'incidents' }
  | { name: 'report900421' }
  | { name: 'checkConnection' }
  | { name: 'keyCreate'; argument: string }
  | { name: 'keyRevoke'; argument: string }
  | { name: 'keys' };

function withoutMentions(text: string | undefined): string {
  return (text ?? '').replace(/<at>.*?<\/at>/gi, ' ').replace(/\s+/g, ' ').trim();
}

/** Undefined: not one of ours (the general command parser takes it). */
export function parseIntegrationCommand(text: string | undefined): IntegrationCommand | undefined {
  const raw = withoutMentions(text);
  const lower = raw.toLowerCase().replace(/[.!]+$/, '');
  let m: RegExpExecArray | null;
  if (/^integrations$/.test(lower)) return { name: 'integrations' };
  if ((m = /^integration\s+add\s+(.+)$/i.exec(raw))) return { name: 'integrationAdd', argument: m[1]!.trim() };
  if ((m = /^integration\s+(.+)$/i.exec(raw))) return { name: 'integration', argument: m[1]!.trim() };
  if (/^playbook$/.test(lower)) return { name: 'playbook' };
  if ((m = /^playbook\s+(.+)$/i.exec(raw))) return { name: 'playbook', argument: m[1]!.trim() };
  if (/^incidents here$/.test(lower)) return { name: 'incidentsHere' };
  if (/^incidents off$/.test(lower)) return { name: 'incidentsOff' };
  if (/^incidents$/.test(lower)) return { name: 'incidents' };
  if (/^report\s+(401\s*\/?\s*)?900421$/.test(lower)) return { name: 'report900421' };
  if (/^check( partner center)? connection$/.test(lower)) return { name: 'checkConnection' };
  if ((m = /^incident\s+key\s+create\s+(.+)$/i.exec(raw))) return { name: 'keyCreate', argument: m[1]!.trim() };
  if ((m = /^incident\s+key\s+revoke\s+(.+)$/i.exec(raw))) return { name: 'keyRevoke', argument: m[1]!.trim() };
  if (/^incident keys$/.test(lower)) return { name: 'keys' };
  return undefined;
}
