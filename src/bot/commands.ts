/** Text commands, normalised: mentions stripped, case and spacing ignored. */
export type Command =
  | 'help'
  | 'status'
  | 'myStatus'
  | 'syncNow'
  | 'connect'
  | 'exception'
  | 'exceptionFor'
  | 'myRequests'
  | 'history'
  | 'sla'
  | 'export'
  | 'closures'
  | 'closureAdd'
  | 'closureRemove'
  | 'approvalsHere'
  | 'approvalsOff'
  | 'nudges'
  | 'pauseNudges'
  | 'resumeNudges'
  | 'unknown';

const COMMANDS: [RegExp, Command][] = [
  [/^(help|\?|hi|hello|start)$/, 'help'],
  [/^(status|summary|report)$/, 'status'],
  [/^(my status|me)$/, 'myStatus'],
  [/^sync( now)?$/, 'syncNow'],
  [/^connect( partner center| partnercenter| pc)?$/, 'connect'],
  [/^((request (an )?)?exception|exception request|technical exception)$/, 'exception'],
  [/^(my )?requests$/, 'myRequests'],
  [/^sla$/, 'sla'],
  [/^export( csv)?$/, 'export'],
  [/^closures$/, 'closures'],
  [/^approvals here$/, 'approvalsHere'],
  [/^approvals off$/, 'approvalsOff'],
  [/^nudges$/, 'nudges'],
  [/^pause nudges$/, 'pauseNudges'],
  [/^resume nudges$/, 'resumeNudges'],
];

/** Commands that take arguments, matched on the text with only mentions and spacing normalised. */
const WITH_ARGUMENTS: [RegExp, Command][] = [
  [/^history\s+(.+)$/i, 'history'],
  [/^(?:request (?:an )?)?exception\s+for\s+(.+)$/i, 'exceptionFor'],
  [/^closure\s+add\s+(.+)$/i, 'closureAdd'],
  [/^closure\s+remove\s+(.+)$/i, 'closureRemove'],
];

function withoutMentions(text: string | undefined): string {
  return (text ?? '').replace(/<at>.*?<\/at>/gi, ' ').replace(/\s+/g, ' ').trim();
}

export function parseCommand(text: string | undefined): Command {
  return parseCommandLine(text).command;
}

/** The command and, for those that take one, its argument text as typed (trimmed). */
export function parseCommandLine(text: string | undefined): { command: Command; argument?: string } {
  const raw = withoutMentions(text);
  for (const [pattern, command] of WITH_ARGUMENTS) {
    const match = pattern.exec(raw);
    if (match) return { command, argument: (match[1] ?? '').trim() };
  }
  const normalised = raw
    .replace(/[^\p{L}\p{N}?\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  for (const [pattern, command] of COMMANDS) if (pattern.test(normalised)) return { command };
  if (/^history$/.test(normalised)) return { command: 'history', argument: '' };
  return { command: 'unknown' };
}
