// "Move my profile": the shopper takes what this shop learned to another browser or
// device as a file locked with a passphrase they choose (Shelfwise's encrypted export),
// as a download, as text to copy or as QR codes to scan; and brings such a file here,
// replacing or combining with what this browser knows. Nothing is sent anywhere: the
// shopper carries the file, and the passphrase never leaves the page.
import { isEncryptedExport, isShelfwiseError } from '/shelfwise/index.js';
import { $ } from './dom.js';

/** The fewest characters a passphrase may have. */
export const MIN_PASSPHRASE = 8;
/**
 * Characters per QR code. One code holds about 2,900 bytes (byte mode, error correction
 * L), but a code that dense is hard to scan off a screen: a longer file is split into
 * parts of about this size, each one code.
 */
export const PART_CHARS = 1200;
/** What starts each part of a file split over several codes: `SWP1:<n>/<count>:`, n from 1. */
const PART_MARK = /SWP1:(\d+)\/(\d+):/g;
const FILE_NAME = 'shelfwise-profile.enc.json';
/** The QR code encoder (the `uqr` package), served by pkg-scripts/serve.mjs; loaded when the dialog opens. */
const QR_MODULE = '/vendor/uqr/index.mjs';

/**
 * A file's text as the texts of its QR codes: the text itself when it fits one code,
 * otherwise `count` parts of about equal length, each `SWP1:<n>/<count>:` and its slice.
 */
export function splitIntoParts(text, size = PART_CHARS) {
  if (text.length <= size) return [text];
  const count = Math.ceil(text.length / size);
  const each = Math.ceil(text.length / count);
  return Array.from({ length: count }, (_, i) => `SWP1:${i + 1}/${count}:${text.slice(i * each, (i + 1) * each)}`);
}

/**
 * The file's text from what the shopper pasted: the file itself, or its parts (as the
 * codes read, one after another, in any order). `{ text }`, or `{ missing, count }` when
 * parts are missing.
 */
export function joinParts(pasted) {
  const text = pasted.trim();
  if (!text.startsWith('SWP1:')) return { text };
  const marks = [...text.matchAll(PART_MARK)];
  const count = Number(marks[0]?.[2] ?? 0);
  const parts = new Map();
  marks.forEach((mark, i) => {
    const n = Number(mark[1]);
    const end = i + 1 < marks.length ? marks[i + 1].index : text.length;
    // The file's JSON holds no white space: any around a part is how it was pasted.
    if (Number(mark[2]) === count && n >= 1 && n <= count) parts.set(n, text.slice(mark.index + mark[0].length, end).trim());
  });
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !parts.has(n));
  if (count === 0 || missing.length > 0) return { missing, count };
  return { text: Array.from({ length: count }, (_, i) => parts.get(i + 1)).join('') };
}

/** What went wrong bringing a file here, in the shopper's words, by Shelfwise's error code. */
const IMPORT_ERRORS = {
  wrong_passphrase: 'That passphrase does not open this file. Check it (capital letters count) and try again.',
  tampered_export: 'This file was changed after it was made, so it cannot be trusted. Make a new one on your other device.',
  truncated_export: 'This file is incomplete: part of it is missing. Copy or download all of it again.',
  passphrase_required: 'This file is locked: type the passphrase chosen when it was made.',
  invalid_import: 'This is not a Shelfwise profile file. Check that you pasted or chose the right one.',
  consent_required: 'Personalization is off in this browser. Turn it on under “Your data” first, then bring your profile here.',
};

/** Which field an error is about, to mark it and put the cursor there. */
const ERROR_FIELDS = { wrong_passphrase: 'move-import-passphrase', passphrase_required: 'move-import-passphrase' };

/** The "Move my profile" dialog. `onImported(message)` runs once a file was brought here. */
export class MoveProfile {
  #shelf;
  #onImported;
  #qr = null;
  #url = null;
  #text = '';
  #parts = [];
  #index = 0;

  constructor({ shelf, onImported }) {
    this.#shelf = shelf;
    this.#onImported = onImported;
    this.dialog = $('move-dialog');
    $('move-create-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.#create();
    });
    $('move-import-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.#bring();
    });
    $('move-import-file').addEventListener('change', async (event) => {
      const [file] = event.target.files;
      event.target.value = '';
      if (file) this.#fill(await file.text());
    });
    $('move-copy').addEventListener('click', () => this.#copy());
    $('move-qr-previous').addEventListener('click', () => this.#show(this.#index - 1));
    $('move-qr-next').addEventListener('click', () => this.#show(this.#index + 1));
    for (const id of ['move-passphrase', 'move-passphrase-again']) $(id).addEventListener('input', () => this.#error('move-create', null));
    for (const id of ['move-import-text', 'move-import-passphrase']) $(id).addEventListener('input', () => this.#error('move-import', null));
    this.dialog.addEventListener('close', () => this.#reset());
  }

  /** Opens the dialog; with `text` (an encrypted file chosen elsewhere), ready to bring it here. */
  open({ text } = {}) {
    this.#loadQr();
    const empty = this.#shelf.profile.summary().events === 0;
    $('move-nothing').hidden = !empty;
    for (const control of $('move-create-form').elements) control.disabled = empty;
    if (!this.dialog.open) this.dialog.showModal();
    if (text !== undefined) this.#fill(text);
    else $(empty ? 'move-import-text' : 'move-passphrase').focus();
  }

  /** The QR encoder, loaded once (null when it cannot be: the file and the text still work). */
  #loadQr() {
    this.#qr ??= import(QR_MODULE).catch(() => null);
    return this.#qr;
  }

  /** Puts a file's text in the form to bring it here, and the cursor where the passphrase goes. */
  #fill(text) {
    $('move-import-text').value = text;
    this.#error('move-import', null);
    $('move-import-passphrase').focus();
  }

  /** Shows (or with null, clears) a form's error; `field` is marked as the one to fix. */
  #error(form, message, field = null) {
    const box = $(`${form}-error`);
    box.textContent = message ?? '';
    box.hidden = message === null;
    for (const input of $(`${form}-form`).querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    if (field) {
      $(field).setAttribute('aria-invalid', 'true');
      $(field).focus();
    }
  }

  /** A form's button while Shelfwise works (deriving the key from the passphrase takes a moment). */
  #busy(form, working) {
    const submit = $(`${form}-submit`);
    submit.dataset.label ??= submit.textContent;
    submit.textContent = working ?? submit.dataset.label;
    submit.disabled = working !== null;
    $(`${form}-form`).setAttribute('aria-busy', String(working !== null));
  }

  async #create() {
    const passphrase = $('move-passphrase').value;
    if ([...passphrase].length < MIN_PASSPHRASE) {
      return this.#error('move-create', `Use at least ${MIN_PASSPHRASE} characters for your passphrase.`, 'move-passphrase');
    }
    if ($('move-passphrase-again').value !== passphrase) {
      return this.#error('move-create', 'The two passphrases are not the same. Type it again.', 'move-passphrase-again');
    }
    this.#error('move-create', null);
    this.#busy('move-create', 'Locking your file…');
    let text;
    try {
      text = await this.#shelf.profile.export({ passphrase });
    } catch (error) {
      if (!isShelfwiseError(error)) throw error;
      return this.#error('move-create', `Your file could not be made: ${error.message}`);
    } finally {
      this.#busy('move-create', null);
    }
    // Closed while the file was being made: nothing is kept.
    if (!this.dialog.open) return;
    // The passphrase is not kept, not even in the form.
    $('move-passphrase').value = '';
    $('move-passphrase-again').value = '';
    this.#result(text);
  }

  /** The file made: its download, its text to copy, and its QR codes. */
  #result(text) {
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    this.#text = text;
    this.#parts = splitIntoParts(text);
    const download = $('move-download');
    download.href = this.#url;
    download.download = FILE_NAME;
    $('move-text').value = text;
    $('move-copy-status').textContent = '';
    const size = text.length < 1024 ? `${text.length} bytes` : `${(text.length / 1024).toFixed(1)} KB`;
    $('move-ready').textContent =
      `Your locked file is ready (${size}). Take it to your other device in one of these ways, then open ` +
      '“Your data” there, choose “Move my profile” and bring it in with your passphrase.';
    $('move-result').hidden = false;
    this.#show(0);
    $('move-result-title').focus();
  }

  /** Shows QR code `index` of the file's codes, with where it is in the sequence. */
  async #show(index) {
    this.#index = Math.min(Math.max(0, index), this.#parts.length - 1);
    const count = this.#parts.length;
    const qr = await this.#loadQr();
    // The dialog may have closed, or moved to another code, while the encoder loaded.
    const part = this.#parts[this.#index];
    if (part === undefined) return;
    $('move-qr').hidden = qr === null;
    $('move-qr-missing').hidden = qr !== null;
    if (qr === null) return;
    const markup = qr.renderSVG(part, { ecc: 'L', border: 4 });
    const svg = document.importNode(new DOMParser().parseFromString(markup, 'image/svg+xml').documentElement, true);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', count > 1 ? `QR code ${this.#index + 1} of ${count} of your locked file` : 'QR code of your locked file');
    const code = $('move-qr-code');
    code.replaceChildren(svg);
    code.dataset.part = part;
    code.dataset.index = String(this.#index + 1);
    code.dataset.count = String(count);
    $('move-qr-caption').textContent =
      count > 1
        ? `Code ${this.#index + 1} of ${count}. Scan every code on your other device, then paste what they read, in any order.`
        : 'Scan it with your other device’s camera, and paste what it reads.';
    $('move-qr-nav').hidden = count === 1;
    $('move-qr-position').textContent = `${this.#index + 1} of ${count}`;
    $('move-qr-previous').disabled = this.#index === 0;
    $('move-qr-next').disabled = this.#index === count - 1;
  }

  async #copy() {
    try {
      await navigator.clipboard.writeText(this.#text);
      $('move-copy-status').textContent = 'Copied. Paste it on your other device, under “Bring my profile here”.';
    } catch {
      // No clipboard for this page (or the shopper refused): the text, selected, to copy by hand.
      $('move-text-details').open = true;
      $('move-text').select();
      $('move-copy-status').textContent = 'This browser did not let the shop copy. The text is selected below: copy it yourself.';
    }
  }

  async #bring() {
    const pasted = $('move-import-text').value;
    if (pasted.trim() === '') return this.#error('move-import', 'Paste the file’s text, or choose the file.', 'move-import-text');
    const joined = joinParts(pasted);
    if (joined.text === undefined) {
      const which = joined.missing.length === 1 ? `code ${joined.missing[0]} is` : `codes ${joined.missing.join(', ')} are`;
      return this.#error(
        'move-import',
        joined.count > 0 ? `This file is incomplete: ${which} missing (of ${joined.count}). Scan and paste them too.` : IMPORT_ERRORS.invalid_import,
        'move-import-text',
      );
    }
    const passphrase = $('move-import-passphrase').value;
    const locked = isEncryptedExport(joined.text);
    if (locked && passphrase === '') return this.#error('move-import', IMPORT_ERRORS.passphrase_required, 'move-import-passphrase');
    const mode = $('move-import-form').elements['move-mode'].value;
    this.#error('move-import', null);
    this.#busy('move-import', 'Opening your file…');
    try {
      await this.#shelf.profile.import(joined.text, locked ? { mode, passphrase } : { mode });
    } catch (error) {
      if (!isShelfwiseError(error)) throw error;
      const field = ERROR_FIELDS[error.code] ?? (error.code === 'consent_required' ? null : 'move-import-text');
      this.#error('move-import', IMPORT_ERRORS[error.code] ?? `This file could not be brought here: ${error.message}`, field);
      if (field === 'move-import-passphrase') $(field).select();
      return;
    } finally {
      this.#busy('move-import', null);
    }
    this.dialog.close();
    this.#onImported(
      mode === 'merge'
        ? 'Your profile from your other device is combined with what this browser knew.'
        : 'Your profile from your other device replaced what this browser knew.',
    );
  }

  /** Closed: nothing of the file or the passphrases stays in the page. */
  #reset() {
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = null;
    this.#text = '';
    this.#parts = [];
    for (const id of ['move-passphrase', 'move-passphrase-again', 'move-import-text', 'move-import-passphrase', 'move-text']) $(id).value = '';
    $('move-download').removeAttribute('href');
    $('move-qr-code').replaceChildren();
    for (const key of ['part', 'index', 'count']) delete $('move-qr-code').dataset[key];
    $('move-result').hidden = true;
    $('move-text-details').open = false;
    $('move-import-form').elements['move-mode'].value = 'merge';
    this.#error('move-create', null);
    this.#error('move-import', null);
  }
}
