// The page of the host app: plain fetch calls in tRPC's JSON wire format to the app's own
// procedures (`projects.*`) and to taskpulse's, mounted under `taskpulse.` of the same router.
// The session cookie authenticates both.

const $ = (selector) => document.querySelector(selector);

async function call(path, input, method = 'GET') {
  const url = new URL(`/api/trpc/${path}`, location.origin);
  const init = { method, headers: {} };
  if (input !== undefined && method === 'GET') url.searchParams.set('input', JSON.stringify(input));
  if (method === 'POST') {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(input ?? null);
  }
  const response = await fetch(url, init);
  const body = await response.json();
  if (body.error) throw new Error(body.error.message);
  return body.result.data;
}

const FIGURES = [
  ['total', 'Total'],
  ['pending', 'Pending'],
  ['completed', 'Completed'],
  ['overdue', 'Overdue'],
  ['shared', 'Shared with me'],
];

async function render() {
  const session = await call('session');
  $('#who').textContent = session
    ? `Signed in as ${session.name} (${session.email}).`
    : 'Not signed in.';
  $('#sign-out').hidden = !session;
  $('#sign-in').hidden = Boolean(session);
  $('#workspace').hidden = !session;
  if (!session) {
    const { accounts } = await (await fetch('/auth/accounts')).json();
    $('#accounts').replaceChildren(
      ...accounts.map((account) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = `Sign in as ${account.name}`;
        button.addEventListener('click', () => signIn(account.email));
        return button;
      }),
    );
    return;
  }
  const [statistics, projects, tasks] = await Promise.all([
    call('taskpulse.dashboard.statistics'),
    call('projects.list'),
    call('taskpulse.tasks.list', { scope: 'owned', limit: 100 }),
  ]);
  $('#figures').replaceChildren(
    ...FIGURES.map(([key, label]) => {
      const item = document.createElement('div');
      const term = document.createElement('dt');
      term.textContent = label;
      const value = document.createElement('dd');
      value.textContent = String(statistics[key]);
      item.append(term, value);
      return item;
    }),
  );
  const titles = new Map(tasks.items.map((task) => [task.id, task.title]));
  $('#projects').replaceChildren(
    ...projects.map((project) => {
      const item = document.createElement('li');
      const name = document.createElement('strong');
      name.textContent = project.name;
      const list = document.createElement('ul');
      list.append(
        ...project.taskIds.map((id) => {
          const task = document.createElement('li');
          task.textContent = titles.get(id) ?? id;
          return task;
        }),
      );
      item.append(name, list);
      return item;
    }),
  );
}

async function signIn(email) {
  await fetch('/auth/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  await render();
}

$('#sign-out').addEventListener('click', async () => {
  await fetch('/auth/sign-out', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
  });
  await render();
});

$('#new-project').addEventListener('submit', async (event) => {
  event.preventDefault();
  const formElement = event.currentTarget;
  const form = new FormData(formElement);
  const tasks = String(form.get('tasks'))
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((title) => ({ title }));
  try {
    await call('projects.createWithTasks', { name: form.get('name'), tasks }, 'POST');
    formElement.reset();
    $('#form-error').textContent = '';
  } catch (error) {
    $('#form-error').textContent = error.message;
  }
  await render();
});

render().catch((error) => {
  $('#who').textContent = `Something went wrong: ${error.message}`;
});
