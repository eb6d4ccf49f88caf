/**
 * The chat page's script. The app bundles it for the browser on request (see ../page.ts), client
 * library included. Event names and payloads are checked against events.generated.ts, which
 * `npm run generate:client-types` writes from ../events.ts.
 */
import { WebSocketClient, WebSocketClientError } from 'ignis-websocket/client';
import type { ClientEvents, ServerEvents } from './events.generated';

type TChatMessage = ServerEvents['chat:message'];

const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
};

const ui = {
  instance: byId('instance'),
  status: byId('status'),
  login: byId<HTMLFormElement>('login'),
  name: byId<HTMLInputElement>('name'),
  room: byId<HTMLInputElement>('room'),
  chat: byId('chat'),
  rooms: byId<HTMLUListElement>('rooms'),
  joinRoom: byId<HTMLFormElement>('join-room'),
  newRoom: byId<HTMLInputElement>('new-room'),
  jobs: byId<HTMLUListElement>('jobs'),
  online: byId<HTMLUListElement>('online'),
  onlineRoom: byId('online-room'),
  messages: byId<HTMLUListElement>('messages'),
  send: byId<HTMLFormElement>('send'),
  text: byId<HTMLInputElement>('text'),
  problem: byId('problem'),
};

let activeRoom = '';
/** Ids of the messages on the page: history, recovered and live copies of one message show once. */
const shown = new Set<string>();
/** Rooms whose history is being loaded, with the live messages that arrived meanwhile. */
const loading = new Map<string, TChatMessage[]>();

const setStatus = (text: string, online: boolean): void => {
  ui.status.textContent = text;
  ui.status.className = `badge ${online ? 'online' : 'offline'}`;
};

const showProblem = (text: string): void => {
  ui.problem.textContent = text;
};

const describeError = (error: unknown): string => {
  if (error instanceof WebSocketClientError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
};

/** Appends one line to the message list; text goes through textContent, never innerHTML. */
const appendLine = (build: (li: HTMLLIElement) => void): void => {
  const li = document.createElement('li');
  build(li);
  const atBottom = ui.messages.scrollTop + ui.messages.clientHeight >= ui.messages.scrollHeight - 4;
  ui.messages.append(li);
  if (atBottom) ui.messages.scrollTop = ui.messages.scrollHeight;
};

const span = (className: string, text: string): HTMLSpanElement => {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
};

const renderMessage = (message: TChatMessage): void => {
  if (shown.has(message.id)) return;
  const held = loading.get(message.room);
  if (held) return void held.push(message);
  shown.add(message.id);
  appendLine(li => {
    li.dataset.room = message.room;
    li.dataset.id = message.id;
    // Rooms filter the stream: only the selected room's messages are visible.
    li.hidden = message.room !== activeRoom;
    li.dataset.from = message.from;
    const time = new Date(message.at).toLocaleTimeString();
    li.append(span('room', `#${message.room}`), span('from', `${message.from}: `), span('text', message.text));
    li.append(span('meta', `${time} via ${message.via}`));
  });
};

const renderSystem = (text: string): void => appendLine(li => li.append(span('system', text)));

const renderRooms = (rooms: string[]): void => {
  ui.rooms.replaceChildren(
    ...rooms.map(room => {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = `#${room}`;
      button.className = room === activeRoom ? 'active' : '';
      button.addEventListener('click', () => selectRoom(room, rooms));
      li.append(button);
      return li;
    }),
  );
};

const selectRoom = (room: string, rooms: string[]): void => {
  activeRoom = room;
  ui.text.placeholder = `Message #${room}`;
  ui.messages.querySelectorAll<HTMLLIElement>('li[data-room]').forEach(li => (li.hidden = li.dataset.room !== room));
  renderRooms(rooms);
  ui.text.focus();
  onRoomSelected(room);
};

let onRoomSelected: (room: string) => void = () => undefined;

const renderOnline = (room: string, users: string[]): void => {
  if (room !== activeRoom) return;
  ui.onlineRoom.textContent = `#${room}`;
  ui.online.replaceChildren(...users.map(user => Object.assign(document.createElement('li'), { textContent: user })));
};

const renderJob = (job: ServerEvents['job:progress']): void => {
  ui.jobs.querySelector('.system')?.remove();
  const id = `job-${job.jobId}`;
  let li = ui.jobs.querySelector<HTMLLIElement>(`[data-job="${CSS.escape(job.jobId)}"]`);
  if (!li) {
    li = document.createElement('li');
    li.dataset.job = job.jobId;
    li.id = id;
    ui.jobs.append(li);
  }
  li.textContent = `${job.jobId}: ${job.step}/${job.total}${job.done ? ' done' : ''}`;
};

const wsUrl = (): string => {
  const url = new URL('/ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
};

const startChat = async (name: string, firstRoom: string): Promise<void> => {
  // Demo auth: the server takes the name as the user id. A real app sends { type: 'Bearer', token }.
  const client = new WebSocketClient<ServerEvents, ClientEvents>({ url: wsUrl(), auth: () => ({ name }) });

  client.on('chat:message', renderMessage);

  /** The room's newest messages, shown on join (and again when a gap could not be recovered). */
  const loadHistory = async (room: string): Promise<void> => {
    loading.set(room, loading.get(room) ?? []);
    try {
      const { messages } = await client.history(room, { limit: 50 });
      for (const message of messages) if (message.event === 'chat:message') renderMessage(message.data as TChatMessage);
    } finally {
      const held = loading.get(room) ?? [];
      loading.delete(room);
      for (const message of held) renderMessage(message);
    }
  };
  const refreshOnline = (room: string): void => {
    client.request('chat:online', { room }).then(
      ({ users }) => renderOnline(room, users),
      () => undefined, // left the room meanwhile, or disconnected: the next change refreshes it
    );
  };
  onRoomSelected = refreshOnline;
  client.on('presence:join', ({ room }) => room === activeRoom && refreshOnline(room));
  client.on('presence:leave', ({ room }) => room === activeRoom && refreshOnline(room));
  // After a reconnect the client re-joins with each room's last position and hands over what was missed.
  client.on('recovery', ({ room, recovered, messages }) => {
    if (recovered) return renderSystem(`#${room}: ${messages} missed message${messages === 1 ? '' : 's'} recovered`);
    renderSystem(`#${room}: missed messages are no longer kept; reloading the room`);
    loadHistory(room).catch(error => showProblem(describeError(error)));
  });
  client.on('job:progress', renderJob);
  client.on('disconnected', ({ code, reason, willReconnect }) =>
    setStatus(`disconnected (${code}${reason ? `: ${reason}` : ''})${willReconnect ? ', reconnecting…' : ''}`, false),
  );
  client.on('reconnected', ({ rejoined }) => {
    setStatus(`connected as ${client.userId}`, true);
    renderSystem(`reconnected; rooms re-joined: ${rejoined.join(', ') || 'none'}`);
    if (activeRoom) refreshOnline(activeRoom);
  });
  client.on('error', ({ source, code, message }) => {
    if (source === 'server') showProblem(`${code}: ${message}`);
  });

  setStatus('connecting…', false);
  await client.connect();
  setStatus(`connected as ${client.userId}`, true);
  ui.login.hidden = true;
  ui.chat.hidden = false;

  const join = async (room: string): Promise<void> => {
    const { rooms, refused } = await client.join([room]);
    if (refused.length > 0) return showProblem(`the server refused: ${refused.join(', ')} (use a-z, 0-9 and -)`);
    showProblem('');
    await loadHistory(room);
    renderSystem(`joined #${rooms.join(', #')}`);
    selectRoom(room, client.rooms);
  };

  ui.send.addEventListener('submit', event => {
    event.preventDefault();
    const text = ui.text.value.trim();
    if (!text || !activeRoom) return;
    ui.text.value = '';
    // request() resolves with the server's chat:send:reply, or rejects with its error (e.g. VALIDATION_FAILED).
    client.request('chat:send', { room: activeRoom, text }).then(
      () => showProblem(''),
      error => showProblem(describeError(error)),
    );
  });

  ui.joinRoom.addEventListener('submit', event => {
    event.preventDefault();
    const room = ui.newRoom.value.trim();
    ui.newRoom.value = '';
    if (room) join(room).catch(error => showProblem(describeError(error)));
  });

  await join(firstRoom);
};

ui.login.addEventListener('submit', event => {
  event.preventDefault();
  const name = ui.name.value.trim();
  const room = ui.room.value.trim() || 'general';
  startChat(name, room).catch(error => {
    setStatus('not connected', false);
    showProblem(describeError(error));
  });
});

fetch('/api/info')
  .then(response => response.json() as Promise<{ instance: string; redis: boolean }>)
  .then(info => {
    ui.instance.textContent = `instance: ${info.instance}${info.redis ? ' (Redis)' : ''}`;
    ui.instance.dataset.instance = info.instance;
  })
  .catch(() => (ui.instance.textContent = 'instance: unknown'));
