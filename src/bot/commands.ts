/** Text commands, normalised: mentions stripped, case and spacing ignored. */
export type Command = 'help' | 'status' | 'myStatus' | 'syncNow' | 'connect' | 'nudges' | 'pauseNudges' | 'resumeNudges' | 'unknown';

const COMMANDS: [RegExp, Command][] = [
  [/^(help|\?|hi|hello|start)$/, 'help'],
  [/^(status|summary|report)$/, 'status'],
  [/^(my status|me)$/, 'myStatus'],
  [/^sync( now)?$/, 'syncNow'],
  [/^connect( partner center| partnercenter| pc)?$/, 'connect'],
  [/^nudges$/, 'nudges'],
  [/^pause nudges$/, 'pauseNudges'],
  [/^resume nudges$/, 'resumeNudges'],
];

export function parseCommand(text: string | undefined): Command {
  const normalised = (text ?? '')
    .replace(/<at>.*?<\/at>/gi, ' ')
    .replace(/[^\p{L}\p{N}?\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  for (const [pattern, command] of COMMANDS) if (pattern.test(normalised)) return command;
  return 'unknown';
}
