/**
 * A page object over the Microsoft 365 Agents Playground UI (0.2.28), for end-to-end tests.
 *
 * What it relies on (see /tmp/team/playground-findings.md):
 * - the composer is the only element with role "textbox" (a Lexical contenteditable); Enter sends;
 * - every message (user's or bot's) is a div holding a child labelled "Message header"; bot messages also
 *   have "Message author" in that header; cards are rendered by the Adaptive Cards JS renderer
 *   (`.ac-adaptiveCard`, the renderer's own stable class), Action.Execute/Submit as buttons, Action.OpenUrl
 *   as links;
 * - the chat list on the left repeats the last message text: never search text page-wide;
 * - the page receives every Playground <-> bot exchange over a websocket log stream (`/_ws/log/stream`):
 *   `traffic` records them, which tells when the page is ready (conversationUpdate delivered) and what the
 *   bot answered to an invoke;
 * - card inputs are Fluent UI v9 controls inside the renderer's markup. Every input with a `label` gets a
 *   `<label class="ac-richTextBlock" for=ID>` (a required one ends in " *"), and ID is: the `<textarea>` /
 *   `<input>` of an Input.Text; the `role="combobox"` `<input>` of a compact Input.ChoiceSet (its options
 *   open in a listbox outside the card, `role="option"`); the `role="radiogroup"` div of an expanded
 *   single-choice set, or a plain div of checkboxes for an expanded multi-select, each choice an
 *   `<input type=radio|checkbox>` with its own `<label for>` holding the choice title.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { eventually } from './eventually';

export interface PlaygroundTraffic {
  /** e.g. "installationUpdate", "conversationUpdate", "message", "invoke". */
  activityName: string;
  /** "Microsoft 365 Agents Playground" (to the bot) or "User Application" (from the bot). */
  from: string;
  to: string;
  statusCode?: number;
  requestBody?: Record<string, unknown>;
  responseBody?: unknown;
  timestamp: number;
}

export const TO_BOT = 'User Application';

export interface OpenOptions {
  timeoutMs?: number;
}

export interface ClickCardActionOptions {
  /** Which card among those that have the button: 'last' (default), 'first' or an index. */
  card?: 'last' | 'first' | number;
  /** Wait until the bot answered the invoke (default true). */
  waitForResponse?: boolean;
  timeoutMs?: number;
}

export interface CardInputOptions {
  /** Which card among those that have the input: 'last' (default), 'first' or an index. */
  card?: 'last' | 'first' | number;
  timeoutMs?: number;
}

export class PlaygroundPage {
  /** Every exchange between the Playground and the bot that the page saw, in order. */
  readonly traffic: PlaygroundTraffic[] = [];
  readonly pageErrors: string[] = [];

  constructor(
    readonly page: Page,
    private readonly defaultTimeoutMs = 15_000,
  ) {
    page.on('websocket', (socket) => {
      if (!socket.url().includes('/_ws/log/')) return;
      socket.on('framereceived', (frame) => {
        const entry = parseLogFrame(frame.payload);
        if (entry) this.traffic.push(entry);
      });
    });
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
  }

  /** Opens the Playground and waits until the bot has received the page's conversationUpdate. */
  async open(url: string, options: OpenOptions = {}): Promise<void> {
    // The Playground waits up to 15 s for the bot endpoint before it sends anything.
    const timeoutMs = options.timeoutMs ?? 30_000;
    const seen = this.traffic.length;
    await this.page.goto(url, { timeout: timeoutMs });
    await this.composer().waitFor({ state: 'visible', timeout: timeoutMs });
    await this.waitForTraffic((t) => t.activityName === 'conversationUpdate' && t.to === TO_BOT, {
      timeoutMs,
      after: seen,
      what: 'the conversationUpdate the Playground sends to the bot when a page opens (is the bot up? it waits 15 s for it)',
    });
    await this.dismissDialogs();
  }

  composer(): Locator {
    return this.page.getByRole('textbox');
  }

  /** All messages of the open conversation, oldest first. */
  messages(): Locator {
    return this.page.locator('div:has(> [aria-label="Message header"])');
  }

  botMessages(): Locator {
    return this.page.locator('div:has(> [aria-label="Message header"] > [aria-label="Message author"])');
  }

  cards(): Locator {
    return this.page.locator('.ac-adaptiveCard');
  }

  /** Waits until a message (text or card) of the conversation contains `text`; returns the last such message. */
  async waitForText(text: string | RegExp, timeoutMs = this.defaultTimeoutMs): Promise<Locator> {
    const message = this.messages().filter({ hasText: text }).last();
    try {
      await message.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch (error) {
      throw await this.explain(error, `no message containing ${String(text)} within ${timeoutMs} ms`);
    }
    return message;
  }

  /** The user's own messages (no author in their header). */
  userMessages(): Locator {
    return this.page.locator(
      'div:has(> [aria-label="Message header"]):not(:has(> [aria-label="Message header"] > [aria-label="Message author"]))',
    );
  }

  /**
   * Types `text` into the composer, sends it, and waits until it shows in the conversation and reached the
   * bot. (The Playground renders the user's text as Markdown/HTML: "<b>x</b>" shows as a bold "x".)
   */
  async sendMessage(text: string, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    const mine = this.userMessages();
    const before = await mine.count();
    const seen = this.traffic.length;
    await this.composer().click();
    await this.page.keyboard.insertText(text);
    await this.page.keyboard.press('Enter');
    await this.waitFor(async () => (await mine.count()) > before, timeoutMs, `my message "${text}" to show`);
    await this.waitForTraffic((t) => t.activityName === 'message' && t.to === TO_BOT, {
      timeoutMs,
      after: seen,
      what: `the message "${text}" to reach the bot`,
    });
  }

  /**
   * Clicks the button `title` on the last card that has it (or `card`), and by default waits until the
   * bot answered the invoke. Returns that invoke exchange (status code and response body), if waited for.
   */
  async clickCardAction(title: string, options: ClickCardActionOptions = {}): Promise<PlaygroundTraffic | undefined> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const button = (card: Locator): Locator => card.getByRole('button', { name: title, exact: true });
    const withButton = this.cards().filter({ has: this.page.getByRole('button', { name: title, exact: true }) });
    const choice = options.card ?? 'last';
    const card = choice === 'last' ? withButton.last() : choice === 'first' ? withButton.first() : withButton.nth(choice);
    try {
      await card.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch (error) {
      throw await this.explain(error, `no card with a "${title}" button within ${timeoutMs} ms`);
    }
    const seen = this.traffic.length;
    await button(card).click({ timeout: timeoutMs });
    if (options.waitForResponse === false) return undefined;
    return this.waitForTraffic(
      (t) => t.activityName === 'invoke' && t.to === TO_BOT && t.statusCode !== undefined,
      { timeoutMs, after: seen, what: `the bot's answer to "${title}"` },
    );
  }

  /**
   * The input of a card whose label is `label` (exact, without the " *" of a required input), found through
   * the label's `for`: a textarea/input, a combobox input, or the container of an expanded choice set.
   */
  async cardInput(label: string, options: CardInputOptions = {}): Promise<Locator> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const labelOf = (scope: Locator | Page): Locator =>
      scope.locator('label.ac-richTextBlock[for]').filter({ hasText: new RegExp(`^${escapeRegExp(label)}( \\*)?$`) });
    const withInput = this.cards().filter({ has: labelOf(this.page) });
    const choice = options.card ?? 'last';
    const card = choice === 'last' ? withInput.last() : choice === 'first' ? withInput.first() : withInput.nth(choice);
    try {
      await card.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch (error) {
      throw await this.explain(error, `no card with an input labelled "${label}" within ${timeoutMs} ms`);
    }
    const id = await labelOf(card).first().getAttribute('for');
    if (!id) throw new Error(`the label "${label}" points at no input`);
    return card.locator(`[id="${id}"]`);
  }

  /** Types `text` into the Input.Text labelled `label` (replacing what it held). */
  async fillCardInput(label: string, text: string, options: CardInputOptions = {}): Promise<void> {
    const input = await this.cardInput(label, options);
    await input.fill(text, { timeout: options.timeoutMs ?? this.defaultTimeoutMs });
  }

  /**
   * Picks `choices` (their titles, as shown) in the Input.ChoiceSet labelled `label`: a compact set opens
   * its dropdown and clicks the option (one choice); an expanded set ticks the radio or checkboxes (a
   * checkbox not named stays as it was). Checks that the control shows the choice afterwards.
   */
  async chooseCardChoice(label: string, choices: string | readonly string[], options: CardInputOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const titles = typeof choices === 'string' ? [choices] : choices;
    const input = await this.cardInput(label, options);
    if ((await input.getAttribute('role')) === 'combobox') {
      if (titles.length !== 1) throw new Error(`"${label}" is a compact choice set: pick exactly one choice`);
      const title = titles[0] ?? '';
      await input.click({ timeout: timeoutMs });
      await this.page.getByRole('option', { name: title, exact: true }).click({ timeout: timeoutMs });
      await this.waitFor(async () => (await input.inputValue()) === title, timeoutMs, `"${label}" to show "${title}"`);
      return;
    }
    for (const title of titles) {
      const choiceLabel = input.locator('label[for]').filter({ hasText: new RegExp(`^${escapeRegExp(title)}$`) });
      const id = await choiceLabel.first().getAttribute('for', { timeout: timeoutMs });
      if (!id) throw new Error(`"${label}" has no choice "${title}"`);
      await input.locator(`[id="${id}"]`).check({ timeout: timeoutMs });
    }
  }

  async lastCardText(): Promise<string> {
    const cards = this.cards();
    if ((await cards.count()) === 0) throw new Error('the conversation shows no card');
    return cards.last().innerText();
  }

  async cardTexts(): Promise<string[]> {
    return this.cards().allInnerTexts();
  }

  /** The display name shown at the top right (the Playground's current user). */
  async currentUserName(): Promise<string> {
    const avatar = this.page.getByRole('toolbar').getByRole('img');
    return (await avatar.last().getAttribute('aria-label')) ?? '';
  }

  /**
   * A screenshot of the page, or of one element (e.g. a message from `waitForText`). The conversation is a
   * scrolling pane: neither `fullPage` nor `of` shows what of a card lies outside the window, so open the
   * page with a viewport tall enough for the card.
   */
  async screenshot(file: string, options: { fullPage?: boolean; of?: Locator } = {}): Promise<void> {
    mkdirSync(path.dirname(file), { recursive: true });
    if (options.of) await options.of.screenshot({ path: file });
    else await this.page.screenshot({ path: file, fullPage: options.fullPage ?? false });
  }

  /** Closes any modal dialog (none appears in 0.2.28 on a fresh profile; kept for newer versions). */
  async dismissDialogs(): Promise<void> {
    const dialogs = this.page.getByRole('dialog');
    for (let i = 0; i < 3 && (await dialogs.count()) > 0; i++) await this.page.keyboard.press('Escape');
  }

  async waitForTraffic(
    predicate: (t: PlaygroundTraffic) => boolean,
    options: { timeoutMs?: number; after?: number; what?: string } = {},
  ): Promise<PlaygroundTraffic> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    let found: PlaygroundTraffic | undefined;
    await this.waitFor(
      () => {
        found = this.traffic.slice(options.after ?? 0).find(predicate);
        return Promise.resolve(found !== undefined);
      },
      timeoutMs,
      options.what ?? 'a Playground log entry',
    );
    if (!found) throw new Error('unreachable');
    return found;
  }

  private async waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    try {
      await eventually(what, condition, { timeoutMs, intervalMs: 100 });
    } catch {
      throw await this.explain(undefined, `timed out after ${timeoutMs} ms waiting for ${what}`);
    }
  }

  /** An error that says what the conversation showed, for a readable failure. */
  private async explain(cause: unknown, message: string): Promise<Error> {
    const texts = await this.messages()
      .allInnerTexts()
      .catch(() => [] as string[]);
    const shown = texts.slice(-5).map((t) => `  - ${t.replace(/\s+/g, ' ').slice(0, 200)}`);
    const lastTraffic = this.traffic
      .slice(-6)
      .map((t) => `  - ${t.from} -> ${t.to}: ${t.activityName} ${t.statusCode ?? ''}`);
    const details = [
      message,
      `last messages:\n${shown.join('\n') || '  (none)'}`,
      `last Playground traffic:\n${lastTraffic.join('\n') || '  (none)'}`,
      this.pageErrors.length ? `page errors: ${this.pageErrors.slice(-3).join(' | ')}` : '',
    ].filter(Boolean);
    const error = new Error(details.join('\n'));
    if (cause instanceof Error) error.cause = cause;
    return error;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseLogFrame(payload: string | Buffer): PlaygroundTraffic | undefined {
  try {
    const data = JSON.parse(payload.toString()) as { log?: Record<string, unknown> };
    const log = data.log;
    if (!log || typeof log.activityName !== 'string') return undefined;
    const request = log.request as { body?: Record<string, unknown> } | undefined;
    const response = log.response as { statusCode?: number; body?: unknown } | undefined;
    return {
      activityName: log.activityName,
      from: typeof log.from === 'string' ? log.from : '',
      to: typeof log.to === 'string' ? log.to : '',
      statusCode: response?.statusCode,
      requestBody: request?.body,
      responseBody: response?.body,
      timestamp: Number(log.timestamp ?? 0),
    };
  } catch {
    return undefined;
  }
}
