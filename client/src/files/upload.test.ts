import { afterEach, describe, expect, it, vi } from 'vitest';
import { Api, ApiError } from '../api/api';
import { describeUploadError, isTransient, uploadFile } from './upload';

const CHANNEL = '0b0b6a3e-7c55-4a8e-9d5e-2f1e1b9f3a11';

/**
 * An XMLHttpRequest whose server is the test: it records what was sent, reports progress in
 * two steps and answers with `answer` (or fails like a dropped network when it is null).
 */
function fakeRequests(answers: ({ status: number; body: string } | null)[]) {
  const sent: { method: string; url: string; headers: Record<string, string>; body: unknown }[] =
    [];
  const newRequest = () => {
    const request = {
      status: 0,
      responseText: '',
      headers: {} as Record<string, string>,
      method: '',
      url: '',
      upload: { onprogress: null as ((event: ProgressEvent) => void) | null },
      onload: null as (() => void) | null,
      onerror: null as (() => void) | null,
      onabort: null as (() => void) | null,
      aborted: false,
      open(method: string, url: string) {
        request.method = method;
        request.url = url;
      },
      setRequestHeader(name: string, value: string) {
        request.headers[name] = value;
      },
      abort() {
        request.aborted = true;
        request.onabort?.();
      },
      send(body: Blob) {
        sent.push({ method: request.method, url: request.url, headers: request.headers, body });
        const answer = answers.shift();
        const progress = (loaded: number) =>
          request.upload.onprogress?.({
            lengthComputable: true,
            loaded,
            total: body.size,
          } as ProgressEvent);
        setTimeout(() => {
          if (request.aborted) return;
          progress(Math.floor(body.size / 2));
          setTimeout(() => {
            if (request.aborted) return;
            progress(body.size);
            if (answer === null || answer === undefined) request.onerror?.();
            else {
              request.status = answer.status;
              request.responseText = answer.body;
              request.onload?.();
            }
          }, 0);
        }, 0);
      },
    };
    return request as unknown as XMLHttpRequest;
  };
  return { sent, newRequest };
}

const fileInfo = { id: 'f1', name: 'a b.png' };
const created = { status: 201, body: JSON.stringify({ file: fileInfo }) };
const refused = (status: number, code: string, message: string) => ({
  status,
  body: JSON.stringify({ error: { code, message } }),
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('uploading a file', () => {
  it('sends the raw bytes with the declared type and the name in the query, reporting progress', async () => {
    const { sent, newRequest } = fakeRequests([created]);
    const progress: number[] = [];
    const file = new Blob(['0123456789'], { type: 'image/png' });
    const info = await uploadFile(new Api(), CHANNEL, file, 'a b.png', {
      newRequest,
      onProgress: (loaded) => progress.push(loaded),
    });
    expect(info).toEqual(fileInfo);
    expect(progress).toEqual([5, 10]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.method).toBe('POST');
    expect(sent[0]?.url).toBe(`/api/channels/${CHANNEL}/files?name=a%20b.png`);
    expect(sent[0]?.headers['Content-Type']).toBe('image/png');
    expect(sent[0]?.body).toBe(file);
  });

  it('turns refusals into ApiErrors with the server code, and says why to the user', async () => {
    const cases = [
      [
        refused(413, 'file_too_large', 'The limit is 100 MiB.'),
        'big.iso is too large. The limit is 100 MiB.',
      ],
      [
        refused(413, 'quota_exceeded', 'Quota reached.'),
        "big.iso was not uploaded: the workspace's storage for files is full.",
      ],
      [
        refused(415, 'file_type_refused', 'The bytes are HTML, not PNG.'),
        'big.iso was refused: The bytes are HTML, not PNG.',
      ],
      [refused(400, 'file_empty', 'Empty.'), 'big.iso is empty.'],
    ] as const;
    for (const [answer, said] of cases) {
      const { newRequest } = fakeRequests([answer]);
      const error = await uploadFile(new Api(), CHANNEL, new Blob(['x']), 'big.iso', {
        newRequest,
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApiError);
      expect(isTransient(error)).toBe(false);
      expect(describeUploadError('big.iso', error)).toBe(said);
    }
  });

  it('reports a dropped network as offline (to try again later) and a 503 as transient', async () => {
    const { newRequest } = fakeRequests([null, refused(503, 'unavailable', 'Restarting.')]);
    const offline = await uploadFile(new Api(), CHANNEL, new Blob(['x']), 'a.txt', {
      newRequest,
    }).catch((caught: unknown) => caught);
    expect(offline).toMatchObject({ status: 0, code: 'offline' });
    expect(isTransient(offline)).toBe(true);
    const busy = await uploadFile(new Api(), CHANNEL, new Blob(['x']), 'a.txt', {
      newRequest,
    }).catch((caught: unknown) => caught);
    expect(isTransient(busy)).toBe(true);
  });

  it('cancels on abort with an AbortError, before or during the upload', async () => {
    const { sent, newRequest } = fakeRequests([created, created]);
    const early = new AbortController();
    early.abort();
    await expect(
      uploadFile(new Api(), CHANNEL, new Blob(['x']), 'a.txt', {
        newRequest,
        signal: early.signal,
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(sent).toHaveLength(0);
    const during = new AbortController();
    const upload = uploadFile(new Api(), CHANNEL, new Blob(['xy']), 'a.txt', {
      newRequest,
      signal: during.signal,
      onProgress: () => during.abort(),
    });
    await expect(upload).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('after a 401 refreshes the session once and sends again with the new token', async () => {
    const { sent, newRequest } = fakeRequests([refused(401, 'unauthorized', 'Expired.'), created]);
    vi.stubGlobal(
      'fetch',
      async () => new Response(JSON.stringify({ accessToken: 'fresh' }), { status: 200 }),
    );
    await uploadFile(new Api(), CHANNEL, new Blob(['x']), 'a.txt', { newRequest });
    expect(sent.map((each) => each.headers.Authorization)).toEqual([undefined, 'Bearer fresh']);
  });

  it('shares one refresh among requests answered 401 together (the cookie is spent once)', async () => {
    const unauthorized = refused(401, 'unauthenticated', 'Sign in first');
    const { sent, newRequest } = fakeRequests([unauthorized, unauthorized, created, created]);
    let refreshes = 0;
    vi.stubGlobal('fetch', async () => {
      refreshes++;
      // A round trip: the other 401 arrives while this refresh is under way.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return new Response(JSON.stringify({ accessToken: `fresh-${refreshes}` }), { status: 200 });
    });
    const api = new Api();
    await Promise.all([
      uploadFile(api, CHANNEL, new Blob(['x']), 'a.txt', { newRequest }),
      uploadFile(api, CHANNEL, new Blob(['y']), 'b.txt', { newRequest }),
    ]);
    expect(refreshes).toBe(1);
    expect(sent.slice(2).map((each) => each.headers.Authorization)).toEqual([
      'Bearer fresh-1',
      'Bearer fresh-1',
    ]);
  });
});
