import type { ApiErrorBody, ApiErrorCode, ApiRoute, PublicUser, Tokens } from '@confab/api';
import {
  type ApiResponse,
  type RequestArgs,
  type RequestRest,
  type RouteParts,
  routePath,
} from './route-path';

export type { ApiResponse, RequestArgs } from './route-path';

/** Everything of the user this client keeps in localStorage starts with this. */
const PREFIX = 'confab.';
const USER = `${PREFIX}user`;
const CACHE = `${PREFIX}get:`;
/**
 * A log-out made offline that the server has not heard yet. Outside PREFIX, so the wipe at the
 * session's end keeps it; it holds nothing of the user.
 */
const LOGOUT_OWED = 'confab-logout-owed';

/**
 * Why a call failed: the server's stable code (`{"error":{"code","message"}}`), `offline` when
 * no answer came (status 0), `unknown` when an error answer carried no code.
 */
export type ApiErrorReason = ApiErrorCode | 'offline' | 'unknown';

/** A failed API call, with the server's stable error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A request `Api.requestVia` hands to the caller's transport. */
export interface RawRequest {
  method: string;
  /** The whole address, query included. */
  url: string;
  /** The `Authorization` header to send, null before the session has a token. */
  authorization: string | null;
}

/** What the caller's transport answers: the status and the body as text. */
export interface RawResponse {
  status: number;
  body: string;
}

/** The signed-in user, as this device keeps it (older copies have only these fields). */
export type User = Pick<PublicUser, 'id' | 'email' | 'name'>;

/** How a session ended: the user logged out here, or the server no longer knows it. */
export type SessionEnd = 'logged-out' | 'ended';

/**
 * The HTTP API as the web client uses it. The access token lives in memory only; the refresh
 * token is an HttpOnly cookie the server sets, so a reload restores the session with `resume`,
 * and a 401 on any call is retried once after a refresh. A refresh the server refuses (the
 * session was revoked, expired, or ended by a password reset) and a log-out both tell the
 * `onSessionEnded` listeners, which wipe the device.
 */
export class Api {
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly endListeners = new Set<(end: SessionEnd) => void>();

  constructor(private readonly baseUrl = '') {}

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  async signUp(name: string, email: string, password: string): Promise<User> {
    return this.signIn('POST /api/auth/signup', { name, email, password });
  }

  async logIn(email: string, password: string): Promise<User> {
    return this.signIn('POST /api/auth/login', { email, password });
  }

  /**
   * Restores the session from the refresh cookie; null when there is none. Offline, the last
   * signed-in user carries on with what this device has (the session is checked once online).
   */
  async resume(): Promise<User | null> {
    if (localStorage.getItem(LOGOUT_OWED) !== null) return this.finishLogOut();
    try {
      if (!(await this.refresh())) return null;
    } catch {
      return this.lastUser();
    }
    return this.remember((await this.request('GET /api/auth/me')).user);
  }

  async logOut(): Promise<void> {
    await this.request('POST /api/auth/logout').catch((error: unknown) => {
      // Offline: the server still holds the session and the browser its refresh cookie, so the
      // next start would sign the user in again. Owed until the server has heard it.
      if (error instanceof ApiError && error.status === 0) localStorage.setItem(LOGOUT_OWED, '1');
    });
    this.accessToken = null;
    this.ended('logged-out');
  }

  /** Ends the session a log-out made offline left on the server; the user stays signed out. */
  private async finishLogOut(): Promise<null> {
    try {
      if (await this.refresh()) await this.request('POST /api/auth/logout');
      localStorage.removeItem(LOGOUT_OWED);
    } catch {
      // Still offline: signed out on this device all the same; tried again at the next start.
    }
    this.accessToken = null;
    return null;
  }

  /** Calls `listener` whenever the session ends; returns the unsubscribe. */
  onSessionEnded(listener: (end: SessionEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private ended(end: SessionEnd) {
    for (const listener of this.endListeners) listener(end);
  }

  private remember(user: User): User {
    localStorage.setItem(USER, JSON.stringify(user));
    return user;
  }

  private lastUser(): User | null {
    const saved = localStorage.getItem(USER);
    return saved ? (JSON.parse(saved) as User) : null;
  }

  /**
   * Calls one route of the API's contract, typed by it:
   * `request('GET /api/channels/{channelId}', { params: { channelId } })`.
   */
  request<R extends ApiRoute>(route: R, ...[args]: RequestRest<R>): Promise<ApiResponse<R>> {
    const { method, path } = routePath(route, args as RouteParts);
    return this.call<ApiResponse<R>>(method, path, (args as RouteParts | undefined)?.body);
  }

  /**
   * Calls one route through a transport of the caller's (an XMLHttpRequest, for upload progress,
   * which `fetch` cannot report): `send` gets the method, path and this session's Authorization
   * header and answers the raw response, or throws when no answer came (then `offline`, unless
   * it was an abort, which is rethrown as it is). A 401 is retried once after a refresh; error
   * answers become `ApiError`s as in `request`.
   */
  async requestVia<R extends ApiRoute>(
    route: R,
    args: RequestArgs<R>,
    send: (request: RawRequest) => Promise<RawResponse>,
  ): Promise<ApiResponse<R>> {
    const { method, path } = routePath(route, args as RouteParts);
    const attempt = async () => {
      try {
        return await send({
          method,
          url: this.baseUrl + path,
          authorization: this.authorization(),
        });
      } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') throw error;
        throw new ApiError(0, 'offline', 'You are offline.', { cause: error });
      }
    };
    let answer = await attempt();
    if (answer.status === 401) {
      let refreshed: boolean;
      try {
        refreshed = await this.refresh();
      } catch (error) {
        throw new ApiError(0, 'offline', 'You are offline.', { cause: error });
      }
      if (refreshed) answer = await attempt();
    }
    return this.parse<ApiResponse<R>>(new Response(answer.body || null, { status: answer.status }));
  }

  private authorization(): string | null {
    return this.accessToken ? `Bearer ${this.accessToken}` : null;
  }

  /** The address of a route the browser navigates to (a sign-in redirect), not one it fetches. */
  href<R extends ApiRoute>(route: R, ...[args]: RequestRest<R>): string {
    return this.baseUrl + routePath(route, args as RouteParts).path;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.send(method, path, body);
    } catch (error) {
      // No network: reads answer from the last answer seen, so the app keeps working offline.
      const saved = method === 'GET' ? localStorage.getItem(CACHE + path) : null;
      if (saved !== null) return JSON.parse(saved) as T;
      throw new ApiError(0, 'offline', 'You are offline.', { cause: error });
    }
    // Expired, or never had one (started offline): the refresh cookie may still hold a session.
    if (response.status === 401 && (await this.refresh())) {
      response = await this.send(method, path, body);
    }
    const value = await this.parse<T>(response);
    // Kept for the signed-in user's offline use only; the wipe at the session's end removes it.
    if (method === 'GET' && this.accessToken !== null) keepForOffline(path, value);
    return value;
  }

  private async signIn(
    route: 'POST /api/auth/signup' | 'POST /api/auth/login',
    body: RequestArgs<typeof route>['body'],
  ): Promise<User> {
    const signedIn = await this.parse<Tokens>(await this.send('POST', routePath(route).path, body));
    this.accessToken = signedIn.accessToken;
    // A new sign-in replaces the refresh cookie, so an offline log-out owes nothing more.
    localStorage.removeItem(LOGOUT_OWED);
    // Sign-up and login always carry the user; only a refresh answers without it.
    return this.remember(signedIn.user as User);
  }

  /**
   * Spends the refresh cookie for a new access token; false when the server refused it (no
   * session, or it ended), and then a session this device had has ended. Another tab may win
   * the race: retry once. Throws when the server cannot answer (restarting, unreachable).
   * Calls made meanwhile share the one in flight: several requests answered 401 at once (back
   * online: sync tickets, an upload) would otherwise spend the same cookie in parallel, and the
   * losers' conflicts would end the session.
   */
  private refresh(): Promise<boolean> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await fetch(this.baseUrl + routePath('POST /api/auth/refresh').path, {
        method: 'POST',
        credentials: 'same-origin',
      });
      if (response.ok) {
        this.accessToken = ((await response.json()) as Tokens).accessToken;
        return true;
      }
      if (response.status >= 500) await this.parse(response);
      if (response.status !== 409) break;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const hadSession = this.accessToken !== null || this.lastUser() !== null;
    this.accessToken = null;
    if (hadSession) this.ended('ended');
    return false;
  }

  private send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const authorization = this.authorization();
    if (authorization) headers.Authorization = authorization;
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private async parse<T>(response: Response): Promise<T> {
    const text = await response.text();
    // No body (204): `undefined`, as the contract types it.
    const value = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      // Read as `ApiErrorBody`; a proxy's error answer may lack the code, the message or a body.
      const error = (value as { error?: Partial<ApiErrorBody['error']> } | undefined)?.error;
      throw new ApiError(
        response.status,
        error?.code ?? 'unknown',
        error?.message ?? `Request failed (${response.status})`,
      );
    }
    return value as T;
  }
}

/**
 * Reads not kept for offline use, as each is a new path and keeping them would fill the
 * storage: every search page and suggestion prefix (search says it needs a connection anyway),
 * every batch of statuses (the ids on screen in one tick) and every older page of the inbox.
 */
const NOT_KEPT_OFFLINE =
  /^\/api\/workspaces\/[^/]+\/(?:search(?:[/?]|$)|statuses\?|notifications\?(?:[^#]*&)?cursor=)/;

/** The last answer of a read, for offline use; best effort, never failing the read itself. */
function keepForOffline(path: string, value: unknown): void {
  if (NOT_KEPT_OFFLINE.test(path)) return;
  try {
    localStorage.setItem(CACHE + path, JSON.stringify(value));
  } catch {
    // Storage full (QuotaExceededError): the answer stands, only its offline copy is missing.
  }
}
