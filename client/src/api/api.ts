/** A failed API call, with the server's stable error code (`{"error":{"code","message"}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface User {
  id: string;
  email: string;
  name: string;
}

interface SignedIn {
  accessToken: string;
  user?: User;
}

/**
 * The HTTP API as the web client uses it. The access token lives in memory only; the refresh
 * token is an HttpOnly cookie the server sets, so a reload restores the session with `resume`,
 * and a 401 on any call is retried once after a refresh.
 */
export class Api {
  private accessToken: string | null = null;

  constructor(private readonly baseUrl = '') {}

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  async signUp(name: string, email: string, password: string): Promise<User> {
    return this.signIn('/api/auth/signup', { name, email, password });
  }

  async logIn(email: string, password: string): Promise<User> {
    return this.signIn('/api/auth/login', { email, password });
  }

  /** Restores the session from the refresh cookie; null when there is none. */
  async resume(): Promise<User | null> {
    if (!(await this.refresh())) return null;
    return (await this.call<{ user: User }>('GET', '/api/auth/me')).user;
  }

  async logOut(): Promise<void> {
    await this.call('POST', '/api/auth/logout').catch(() => {});
    this.accessToken = null;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    let response = await this.send(method, path, body);
    if (response.status === 401 && this.accessToken && (await this.refresh())) {
      response = await this.send(method, path, body);
    }
    return this.parse<T>(response);
  }

  private async signIn(path: string, body: unknown): Promise<User> {
    const signedIn = await this.parse<SignedIn & { user: User }>(
      await this.send('POST', path, body),
    );
    this.accessToken = signedIn.accessToken;
    return signedIn.user;
  }

  /** Spends the refresh cookie for a new access token. Another tab may win the race: retry once. */
  private async refresh(): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await fetch(`${this.baseUrl}/api/auth/refresh`, {
        method: 'POST',
        credentials: 'same-origin',
      });
      if (response.ok) {
        this.accessToken = ((await response.json()) as SignedIn).accessToken;
        return true;
      }
      if (response.status !== 409) break;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    this.accessToken = null;
    return false;
  }

  private send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private async parse<T>(response: Response): Promise<T> {
    const text = await response.text();
    const value = text ? (JSON.parse(text) as unknown) : {};
    if (!response.ok) {
      const error = (value as { error?: { code?: string; message?: string } }).error;
      throw new ApiError(
        response.status,
        error?.code ?? 'unknown',
        error?.message ?? `Request failed (${response.status})`,
      );
    }
    return value as T;
  }
}
