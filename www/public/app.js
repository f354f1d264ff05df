// The integrations page: the Okta card, the Connect dialog (live validation, verification checklist),
// the connected state and the password actions. Plain ES modules, no framework, no build step.
//
// Secrets (the private key, passwords, reset links, temporary passwords) live only in this tab's memory
// and DOM: never in storage, cookies, URLs or the console. Inputs carry no `name`, the page's CSP has
// `form-action 'none'`, and everything is cleared on Cancel, on success and on Disconnect.
import { createRelayFetch } from './relay-fetch.js';
import { assessPassword, generatePassword } from './passwords.js';

const $ = (id) => document.getElementById(id);
const FIELDS = ['orgUrl', 'clientId', 'privateKey', 'keyId'];
const MAX_KEY_FILE_BYTES = 64 * 1024;

const CHECKS = [
  { id: 'config', label: 'Configuration is valid' },
  { id: 'reachable', label: 'Okta org answers' },
  { id: 'client_auth', label: 'Client authentication (private key JWT)' },
  { id: 'dpop', label: 'DPoP proof of possession' },
  { id: 'scope', label: 'Scope okta.users.manage is granted' },
  { id: 'role', label: 'Admin role allows password actions' },
];
const STATUS_TEXT = { pending: 'Pending', running: 'Running', pass: 'Passed', fail: 'Failed', skip: 'Skipped' };

/** The setup-guide step (1–6, www/public/index.html) that fixes a problem with this code. */
function setupStep(code = '') {
  if (code === 'okta_scope_not_granted') return 4;
  if (code === 'okta_permission_denied') return 5;
  if (code === 'okta_not_service_app') return 1;
  if (code === 'okta_client_secret_selected' || code.startsWith('okta_dpop')) return 2;
  if (code.startsWith('key_') || ['okta_wrong_key', 'okta_wrong_kid', 'okta_no_public_key'].includes(code)) return 3;
  if (code.startsWith('org_url_') || code.startsWith('client_id_') || ['okta_unknown_client', 'okta_org_not_found', 'okta_wrong_audience'].includes(code)) return 6;
  return undefined;
}

/** Titles for the errors an admin meets in the password actions; the package's message otherwise. */
const ERROR_TITLES = {
  okta_password_policy: "Okta refused the password: it does not meet the org's password policy",
  okta_user_not_found: 'No user with this login or ID',
  okta_user_status: "Okta does not allow this in the user's current status",
  okta_permission_denied: "The app's admin role does not allow this",
  okta_rate_limited: 'Okta is rate limiting the app',
  network_error: 'Okta could not be reached',
  timeout: 'Okta did not answer in time',
};

const state = {
  settings: null,
  okta: null,
  relayFetch: null,
  relayIssue: null,
  report: null,
  touched: new Set(),
  connecting: null,
  client: null,
  clientAbort: null,
  clientId: '',
  user: null,
  busy: false,
};

// ——— small DOM helpers ———

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null && child !== false) node.append(child);
  return node;
}

function sentence(text = '') {
  const trimmed = String(text).trim();
  if (!trimmed) return '';
  // Capitalise, except text that starts with a URL or an identifier such as okta.users.manage.
  const capital = /^[a-z][\w+.-]*(:\/\/|\.\w)/.test(trimmed) ? trimmed : trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

function announce(message) {
  const region = $('announcer');
  region.textContent = '';
  // A new text node after a tick, so repeated messages are announced again.
  setTimeout(() => { region.textContent = message; }, 30);
}

function stepLink(step) {
  return el('a', { href: `#step-${step}`, class: 'step-link', 'data-step': String(step) }, `Setup step ${step}`);
}

function showStep(step) {
  const guide = $('guide');
  guide.open = true;
  for (const item of guide.querySelectorAll('li')) item.classList.toggle('is-highlighted', item.id === `step-${step}`);
  const target = $(`step-${step}`);
  target.setAttribute('tabindex', '-1');
  target.scrollIntoView({ block: 'nearest' });
  target.focus();
}

// ——— the Connect dialog: live validation ———

function readConfig() {
  return {
    orgUrl: $('orgUrl').value,
    clientId: $('clientId').value,
    privateKey: $('privateKey').value,
    keyId: $('keyId').value.trim() === '' ? undefined : $('keyId').value,
  };
}

function policy() {
  return { allowInsecureLoopback: Boolean(state.settings?.allowInsecureLoopback), allowedHosts: state.settings?.allowedHosts ?? [] };
}

const SEVERITY = {
  error: { prefix: 'Error: ', icon: '!' },
  warning: { prefix: 'Warning: ', icon: '!' },
  notice: { prefix: 'Note: ', icon: 'i' },
};

function renderProblems(field, problems) {
  const list = $(`${field}-problems`);
  // Unchanged problems are left in place, so a click on a setup-step link survives the field's blur.
  const signature = JSON.stringify(problems);
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  list.replaceChildren(
    ...problems.map((problem) => {
      const step = setupStep(problem.code);
      const severity = SEVERITY[problem.severity] ?? SEVERITY.error;
      return el(
        'li',
        { class: `problem problem-${problem.severity}`, 'data-code': problem.code },
        el('span', { class: 'problem-icon', 'aria-hidden': 'true' }, severity.icon),
        el(
          'div',
          { class: 'problem-body' },
          el('p', { class: 'problem-message' }, el('span', { class: 'visually-hidden' }, severity.prefix), sentence(problem.message)),
          problem.fix || step
            ? el('p', { class: 'problem-fix' }, problem.fix ? `${sentence(problem.fix)} ` : '', step ? stepLink(step) : '')
            : null,
        ),
      );
    }),
  );
  const invalid = problems.some((p) => p.severity === 'error');
  $(field).setAttribute('aria-invalid', String(invalid));
  $(`field-${field}`).classList.toggle('has-error', invalid);
}

function renderKeySummary(key) {
  const summary = $('privateKey-summary');
  if (!key) {
    summary.replaceChildren();
    summary.hidden = true;
    return;
  }
  summary.hidden = false;
  summary.replaceChildren(
    el('span', { class: 'key-ok', 'aria-hidden': 'true' }, '✓'),
    ` ${key.keyType} ${key.bits}-bit private key, ${key.algorithm}`,
    key.keyId ? el('span', { class: 'key-detail' }, ' · kid ', el('code', {}, key.keyId)) : '',
    el('span', { class: 'key-detail' }, ' · thumbprint ', el('code', {}, key.thumbprint)),
  );
}

function validate() {
  if (!state.okta) return;
  const report = state.okta.validateConfig(readConfig(), policy());
  state.report = report;
  for (const field of FIELDS) {
    const value = $(field).value;
    const visible = value.trim() !== '' || state.touched.has(field);
    renderProblems(field, visible ? report.problems.filter((p) => p.field === field) : []);
  }
  renderKeySummary(report.ok || !report.problems.some((p) => p.field === 'privateKey' && p.severity === 'error') ? report.key : undefined);
  updateConnectButton();
}

function updateConnectButton() {
  const ready = Boolean(state.report?.ok) && !state.connecting;
  $('connect-submit').disabled = !ready;
  if (!state.connecting) {
    $('connect-state').textContent = !state.report?.ok
      ? 'Connect is enabled once every field is valid.'
      : state.verifyFailed ? 'Fix the failed check, then try again.' : 'Ready to connect.';
  }
}

let validateTimer;
function scheduleValidate() {
  clearTimeout(validateTimer);
  validateTimer = setTimeout(validate, 120);
}

async function loadKeyFile(file) {
  if (!file) return;
  if (file.size > MAX_KEY_FILE_BYTES) {
    state.touched.add('privateKey');
    renderProblems('privateKey', [{ field: 'privateKey', code: 'key_too_large', severity: 'error', message: `${file.name} is ${Math.round(file.size / 1024)} KiB: too large to be a key file`, fix: 'Choose the .json or .pem file that holds the private key.' }]);
    return;
  }
  $('privateKey').value = await file.text();
  state.touched.add('privateKey');
  validate();
  announce(`Loaded the key file ${file.name}.`);
}

function clearConnectForm() {
  for (const field of FIELDS) $(field).value = '';
  $('key-file').value = '';
  state.touched.clear();
  state.report = null;
  state.verifyFailed = false;
  for (const field of FIELDS) renderProblems(field, []);
  renderKeySummary(undefined);
  $('verify').hidden = true;
  $('verify-checks').replaceChildren();
  $('verify-summary').textContent = '';
  $('connect-submit').textContent = 'Connect';
  for (const item of $('guide').querySelectorAll('li')) item.classList.remove('is-highlighted');
  updateConnectButton();
}

function openDialog() {
  clearConnectForm();
  $('guide').open = window.matchMedia('(min-width: 820px)').matches;
  $('connect-dialog').showModal();
  $('orgUrl').focus();
}

function closeDialog() {
  state.connecting?.abort();
  clearConnectForm();
  if ($('connect-dialog').open) $('connect-dialog').close();
}

// ——— verification checklist ———

function checkItem(check) {
  const status = check.status ?? 'pending';
  const meta = CHECKS.find((c) => c.id === check.id);
  const step = check.status === 'fail' ? setupStep(check.code) : undefined;
  let detail = check.detail;
  if (check.status === 'fail' && check.code === 'network_error' && state.relayIssue) {
    detail = `${detail} — the platform's Okta relay answered: ${state.relayIssue.message}`;
  }
  return el(
    'li',
    { class: `check check-${status}`, 'data-check': check.id, 'data-status': status },
    el('span', { class: 'check-icon', 'aria-hidden': 'true' }),
    el(
      'div',
      { class: 'check-body' },
      el('p', { class: 'check-title' }, meta?.label ?? check.id, el('span', { class: 'check-status' }, ` — ${STATUS_TEXT[status] ?? status}`)),
      detail && detail !== 'passed' ? el('p', { class: 'check-detail' }, sentence(detail)) : null,
      check.fix || step
        ? el('p', { class: 'check-fix' }, el('strong', {}, 'Fix: '), check.fix ? `${sentence(check.fix)} ` : '', step ? stepLink(step) : '')
        : null,
    ),
  );
}

function renderChecklist(list, checks) {
  const byId = new Map(checks.map((check) => [check.id, check]));
  list.replaceChildren(...CHECKS.map(({ id }) => checkItem(byId.get(id) ?? { id, status: 'pending' })));
}

function updateCheck(list, check) {
  const current = list.querySelector(`[data-check="${check.id}"]`);
  const next = checkItem(check);
  if (current) current.replaceWith(next);
}

function setDialogBusy(busy) {
  for (const field of FIELDS) $(field).readOnly = busy;
  $('key-file-button').disabled = busy;
  $('connect-form').setAttribute('aria-busy', String(busy));
  updateConnectButton();
}

async function connect() {
  if (!state.report?.ok || state.connecting) return;
  const config = readConfig();
  const abort = new AbortController();
  state.connecting = abort;
  state.relayIssue = null;
  state.verifyFailed = false;
  setDialogBusy(true);
  $('connect-state').textContent = 'Connecting…';
  $('connect-submit').textContent = 'Connecting…';
  const list = $('verify-checks');
  $('verify').hidden = false;
  $('verify-summary').textContent = '';
  renderChecklist(list, []);
  $('verify').scrollIntoView({ block: 'start' });
  let client;
  try {
    client = await state.okta.OktaClient.connect(config, { ...policy(), fetch: state.relayFetch, signal: abort.signal });
    const result = await client.verify({ onProgress: (check) => updateCheck(list, check) });
    if (abort.signal.aborted) return;
    renderChecklist(list, result.checks);
    if (result.ok) {
      $('verify-summary').textContent = 'All checks passed. Connected.';
      $('verify-summary').className = 'verify-summary is-success';
      $('connect-state').textContent = 'Connected.';
      $('connect-submit').textContent = 'Connected';
      // Let the admin see the all-green checklist before the dialog closes.
      await new Promise((resolve) => setTimeout(resolve, 700));
      if (abort.signal.aborted) return;
      state.client = client;
      state.clientAbort = abort;
      state.connecting = null;
      client = undefined;
      state.clientId = config.clientId.trim();
      showConnected(result.checks);
      return;
    }
    state.verifyFailed = true;
    const failed = result.checks.find((c) => c.status === 'fail');
    const label = CHECKS.find((c) => c.id === failed?.id)?.label ?? 'A check';
    $('verify-summary').textContent = `Not connected: "${label}" failed. Fix it in Okta, then try again.`;
    $('verify-summary').className = 'verify-summary is-error';
    $('connect-submit').textContent = 'Try again';
    $('verify-heading').focus();
  } catch (error) {
    if (abort.signal.aborted) return;
    state.verifyFailed = true;
    $('verify-summary').textContent = `Not connected: ${sentence(error.message)}${error.fix ? ` ${sentence(error.fix)}` : ''}`;
    $('verify-summary').className = 'verify-summary is-error';
    $('connect-submit').textContent = 'Try again';
  } finally {
    client?.close();
    if (state.connecting === abort) state.connecting = null;
    setDialogBusy(false);
    if (!state.client) updateConnectButton();
  }
}

// ——— connected state ———

function showConnected(checks) {
  const info = state.client.connection;
  closeDialog();
  $('fact-org').textContent = info.orgUrl;
  $('fact-client').textContent = state.clientId;
  $('fact-alg').textContent = info.algorithm;
  $('fact-kid').textContent = info.keyId ?? 'Not set (fine while the app has a single key)';
  $('fact-kid').classList.toggle('is-unset', !info.keyId);
  $('fact-thumbprint').textContent = info.thumbprint;
  $('fact-dpop').replaceChildren(
    info.dpop
      ? el('span', { class: 'fact-stack' }, el('span', { class: 'pill pill-success pill-sm' }, 'In use'), el('span', { class: 'fact-note' }, 'Tokens are bound to this tab’s DPoP key, jkt ', el('code', {}, info.dpopThumbprint)))
      : el('span', { class: 'fact-stack' }, el('span', { class: 'pill pill-warning pill-sm' }, 'Not in use'), el('span', { class: 'fact-note' }, 'The app does not require DPoP, so Okta issues Bearer tokens. Turn on "Require DPoP" (setup step 2).')),
  );
  $('fact-signing').textContent =
    info.signing === 'webcrypto'
      ? 'Requests are signed in this browser tab with a non-extractable WebCrypto key and sent to Okta through Northwind’s relay. The key is not stored: reloading the page or Disconnect forgets it.'
      : 'Requests are signed in this browser tab and sent to Okta through Northwind’s relay. The key is not stored: reloading the page or Disconnect forgets it.';
  const passed = checks.filter((c) => c.status === 'pass').length;
  $('checks-summary-label').textContent = `Connection checks: ${passed} of ${checks.length} passed`;
  renderChecklist($('connected-checks'), checks);
  $('okta-panel').hidden = false;
  $('okta-status').textContent = 'Connected';
  $('okta-status').className = 'pill pill-success';
  $('okta-card-note').textContent = new URL(info.orgUrl).host;
  $('connect-open').textContent = 'Manage';
  resetUserPanel();
  $('connected-heading').focus();
  announce(`Connected to ${info.orgUrl}. All ${checks.length} checks passed.`);
}

function resetUserPanel() {
  state.user = null;
  $('find-login').value = '';
  $('find-result').replaceChildren();
  $('user-actions').hidden = true;
  clearActionResults();
  $('set-password').value = '';
  setPasswordVisible(false);
  for (const id of ['set-revoke', 'reset-revoke', 'expire-revoke']) $(id).checked = false;
  $('reset-email').checked = true;
  $('expire-temp').checked = true;
  renderStrength();
}

function clearActionResults() {
  for (const id of ['set-result', 'reset-result', 'expire-result', 'revoke-result']) $(id).replaceChildren();
}

function disconnect() {
  state.connecting?.abort();
  state.clientAbort?.abort();
  state.client?.close();
  state.client = null;
  state.clientAbort = null;
  state.clientId = '';
  resetUserPanel();
  for (const id of ['fact-org', 'fact-client', 'fact-alg', 'fact-kid', 'fact-thumbprint', 'fact-signing']) $(id).textContent = '';
  $('fact-dpop').replaceChildren();
  $('connected-checks').replaceChildren();
  $('okta-panel').hidden = true;
  $('okta-status').textContent = 'Not connected';
  $('okta-status').className = 'pill pill-neutral';
  $('okta-card-note').textContent = 'Needs an Okta API Services app.';
  $('connect-open').textContent = 'Connect';
  clearConnectForm();
  $('connect-open').focus();
  announce('Disconnected. The key was erased from this tab.');
}

// ——— results and errors ———

function errorView(error) {
  const title = ERROR_TITLES[error.code] ?? sentence(error.message ?? 'Something went wrong');
  const causes = Array.isArray(error.errorCauses) ? error.errorCauses.filter(Boolean) : [];
  const step = setupStep(error.code);
  const meta = [error.code, error.status && `HTTP ${error.status}`, error.errorCode, error.errorId && `errorId ${error.errorId}`].filter(Boolean).join(' · ');
  let detail = error.errorSummary ? `Okta: ${sentence(error.errorSummary)}` : ERROR_TITLES[error.code] ? sentence(error.message) : '';
  if (error.code === 'network_error' && state.relayIssue) detail = `${detail} The platform's Okta relay answered: ${sentence(state.relayIssue.message)}`.trim();
  return el(
    'div',
    { class: 'alert alert-error', role: 'alert', 'data-code': error.code ?? 'error' },
    el('p', { class: 'alert-title' }, title),
    detail ? el('p', {}, detail) : null,
    causes.length
      ? el('div', { class: 'causes' }, el('p', { class: 'causes-title' }, 'Okta’s reasons:'), el('ul', {}, causes.map((cause) => el('li', {}, cause))))
      : null,
    error.fix || step ? el('p', { class: 'alert-fix' }, el('strong', {}, 'Fix: '), error.fix ? `${sentence(error.fix)} ` : '', step ? `(Setup step ${step}.)` : '') : null,
    meta ? el('p', { class: 'alert-meta' }, meta) : null,
  );
}

function successView(title, ...body) {
  return el('div', { class: 'alert alert-success', role: 'status' }, el('p', { class: 'alert-title' }, title), ...body);
}

function secretView(label, value, note) {
  const id = `secret-${Math.random().toString(36).slice(2)}`;
  const input = el('input', { id, type: 'text', readonly: true, class: 'mono secret-value', autocomplete: 'off', spellcheck: 'false' });
  input.value = value;
  const copy = el('button', { type: 'button', class: 'btn btn-secondary btn-sm' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      copy.textContent = 'Copied';
    } catch {
      input.select();
      copy.textContent = 'Press Ctrl+C';
    }
  });
  return el('div', { class: 'secret' }, el('label', { for: id }, label), el('div', { class: 'input-group' }, input, copy), note ? el('p', { class: 'hint' }, note) : null);
}

const STATUS_TONE = {
  ACTIVE: 'success',
  RECOVERY: 'warning',
  PASSWORD_EXPIRED: 'warning',
  LOCKED_OUT: 'danger',
  SUSPENDED: 'danger',
  DEPROVISIONED: 'muted',
  STAGED: 'info',
  PROVISIONED: 'info',
};

function statusPill(status) {
  return el('span', { class: `pill pill-${STATUS_TONE[status] ?? 'neutral'} pill-sm`, 'data-user-status': status }, status.replace('_', ' ').toLowerCase().replace(/^./, (c) => c.toUpperCase()));
}

function formatDate(iso) {
  if (!iso) return 'never';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function userView(user) {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ') || user.login;
  return el(
    'div',
    { class: 'user-card', 'data-user-id': user.id },
    el('span', { class: 'avatar avatar-lg', 'aria-hidden': 'true' }, name.split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase()),
    el(
      'div',
      { class: 'user-main' },
      el('p', { class: 'user-name' }, name, ' ', statusPill(user.status)),
      el('p', { class: 'user-login' }, user.login),
      el(
        'dl',
        { class: 'user-facts' },
        el('div', {}, el('dt', {}, 'User ID'), el('dd', { class: 'mono' }, user.id)),
        el('div', {}, el('dt', {}, 'Password changed'), el('dd', {}, formatDate(user.passwordChanged))),
        el('div', {}, el('dt', {}, 'Last sign-in'), el('dd', {}, formatDate(user.lastLogin))),
      ),
    ),
  );
}

function showUser(user) {
  state.user = user;
  $('find-result').replaceChildren(userView(user));
  $('set-username').value = user.login;
  renderStrength();
}

/** Runs one action with its button busy; shows the result or the error in `slot`. */
async function runAction(button, slot, action) {
  if (state.busy || !state.client) return;
  const client = state.client;
  state.busy = true;
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = 'Working…';
  slot.replaceChildren();
  try {
    const view = await action();
    if (state.client === client) slot.replaceChildren(view);
  } catch (error) {
    if (state.client === client) slot.replaceChildren(errorView(error));
  } finally {
    state.busy = false;
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
  }
}

/** Re-reads the user after a change, so the status shown is Okta's. */
async function refreshUser() {
  try {
    showUser(await state.client.getUser(state.user.id));
  } catch {
    // The action's own result is what matters; a failed refresh leaves the previous card.
  }
}

// ——— password strength ———

function setPasswordVisible(visible) {
  $('set-password').type = visible ? 'text' : 'password';
  $('set-show').textContent = visible ? 'Hide' : 'Show';
  $('set-show').setAttribute('aria-pressed', String(visible));
}

function renderStrength() {
  const assessment = assessPassword($('set-password').value, state.user?.login ?? '');
  const bar = $('strength-bar');
  bar.style.width = `${assessment.score * 25}%`;
  bar.dataset.score = String(assessment.score);
  $('strength-text').textContent = assessment.label;
  $('set-rules').replaceChildren(
    ...assessment.rules.map((rule) =>
      el(
        'li',
        { class: rule.met ? 'rule is-met' : 'rule', 'data-rule': rule.id },
        el('span', { class: 'rule-icon', 'aria-hidden': 'true' }, rule.met ? '✓' : '○'),
        el('span', { class: 'visually-hidden' }, rule.met ? 'Met: ' : 'Not met: '),
        rule.label,
      ),
    ),
  );
}

// ——— wiring ———

function wire() {
  $('connect-open').addEventListener('click', () => {
    if (state.client) {
      $('connected-heading').focus();
      $('okta-panel').scrollIntoView({ block: 'start' });
    } else {
      openDialog();
    }
  });
  $('connect-close').addEventListener('click', closeDialog);
  $('connect-cancel').addEventListener('click', closeDialog);
  $('connect-dialog').addEventListener('cancel', (event) => {
    event.preventDefault();
    closeDialog();
  });
  $('connect-dialog').addEventListener('close', () => {
    if (!state.client) $('connect-open').focus();
  });
  $('connect-form').addEventListener('submit', (event) => {
    event.preventDefault();
    validate();
    connect();
  });
  for (const field of FIELDS) {
    $(field).addEventListener('input', () => {
      state.touched.add(field);
      scheduleValidate();
    });
    $(field).addEventListener('blur', () => {
      if (state.connecting) return;
      state.touched.add(field);
      validate();
    });
  }
  $('connect-dialog').addEventListener('click', (event) => {
    const link = event.target.closest('.step-link');
    if (!link) return;
    event.preventDefault();
    showStep(Number(link.dataset.step));
  });

  // The key field accepts a dropped .json / .pem file, or one chosen with the button (keyboard).
  const zone = $('key-dropzone');
  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
  zone.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    zone.classList.add('is-dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('is-dragging'));
  zone.addEventListener('drop', (event) => {
    zone.classList.remove('is-dragging');
    if (!hasFiles(event) || state.connecting) return;
    event.preventDefault();
    loadKeyFile(event.dataTransfer.files[0]);
  });
  $('key-file-button').addEventListener('click', () => $('key-file').click());
  $('key-file').addEventListener('change', async () => {
    await loadKeyFile($('key-file').files[0]);
    $('key-file').value = '';
    $('privateKey').focus();
  });

  $('disconnect').addEventListener('click', disconnect);

  $('find-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const query = $('find-login').value.trim();
    if (!query) {
      $('find-result').replaceChildren(errorView({ message: 'Enter the login (e.g. alice@example.com) or the Okta user ID.' }));
      $('find-login').focus();
      return;
    }
    $('user-actions').hidden = true;
    clearActionResults();
    state.user = null;
    runAction($('find-submit'), $('find-result'), async () => {
      const user = await state.client.getUser(query);
      state.user = user;
      $('set-username').value = user.login;
      renderStrength();
      $('user-actions').hidden = false;
      return userView(user);
    });
  });

  $('set-password').addEventListener('input', renderStrength);
  $('set-show').addEventListener('click', () => setPasswordVisible($('set-password').type === 'password'));
  $('set-generate').addEventListener('click', () => {
    $('set-password').value = generatePassword({ login: state.user?.login ?? '' });
    setPasswordVisible(true);
    renderStrength();
    $('set-password').focus();
    announce('Generated a random 20-character password.');
  });
  $('set-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const password = $('set-password').value;
    if (!password) {
      $('set-result').replaceChildren(errorView({ message: 'Enter a new password or generate one.' }));
      $('set-password').focus();
      return;
    }
    const revokeSessions = $('set-revoke').checked;
    runAction($('set-submit'), $('set-result'), async () => {
      const user = await state.client.setPassword(state.user.id, password, { revokeSessions });
      $('set-password').value = '';
      setPasswordVisible(false);
      renderStrength();
      showUser(user);
      return successView(`Password set for ${user.login}.`, el('p', {}, revokeSessions ? 'The user was signed out everywhere.' : 'Existing sessions were kept.'));
    });
  });

  $('reset-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const sendEmail = $('reset-email').checked;
    const revokeSessions = $('reset-revoke').checked;
    runAction($('reset-submit'), $('reset-result'), async () => {
      const login = state.user.login;
      const result = await state.client.resetPassword(state.user.id, { sendEmail, revokeSessions });
      await refreshUser();
      if (result.resetPasswordUrl) {
        return successView(
          'One-time reset link created.',
          secretView(`Reset link for ${login}`, result.resetPasswordUrl, 'It works once. Share it with the user over a channel you trust.'),
        );
      }
      return successView(sendEmail ? `Okta sent a password reset email to ${login}.` : `Password reset started for ${login}.`, el('p', {}, revokeSessions ? 'The user was signed out everywhere.' : 'Existing sessions were kept.'));
    });
  });

  $('expire-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const tempPassword = $('expire-temp').checked;
    const revokeSessions = $('expire-revoke').checked;
    runAction($('expire-submit'), $('expire-result'), async () => {
      const login = state.user.login;
      const result = await state.client.expirePassword(state.user.id, { tempPassword, revokeSessions });
      await refreshUser();
      if (result.tempPassword) {
        return successView(
          `Password expired for ${login}.`,
          secretView('Temporary password', result.tempPassword, 'Give it to the user over a channel you trust; they must change it at the next sign-in.'),
        );
      }
      return successView(`Password expired for ${login}.`, el('p', {}, 'The user must choose a new password at the next sign-in.'));
    });
  });

  $('revoke-form').addEventListener('submit', (event) => {
    event.preventDefault();
    runAction($('revoke-submit'), $('revoke-result'), async () => {
      await state.client.revokeSessions(state.user.id);
      return successView(`All sessions of ${state.user.login} were revoked.`, el('p', {}, 'The user must sign in again everywhere.'));
    });
  });

  // Nothing outlives the tab: forget the connection when the page goes away.
  window.addEventListener('pagehide', () => {
    if (state.client) disconnect();
  });
}

async function boot() {
  wire();
  renderStrength();
  try {
    const response = await fetch('/api/integration-settings', { cache: 'no-store' });
    if (!response.ok) throw new Error(`settings: HTTP ${response.status}`);
    state.settings = await response.json();
    state.okta = await import('okta-connect');
  } catch {
    $('boot-error').textContent = 'The Okta integration could not load. Reload the page; if it persists, contact support.';
    $('boot-error').hidden = false;
    $('okta-card-note').textContent = 'Unavailable';
    return;
  }
  state.relayFetch = createRelayFetch(state.settings.relayPath, { onRefusal: (issue) => { state.relayIssue = issue; } });
  $('connect-open').disabled = false;
  $('okta-card-note').textContent = 'Needs an Okta API Services app.';
  document.body.dataset.ready = 'true';
}

boot();
