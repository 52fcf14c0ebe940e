import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { responseCheck } from './response-check';

const thing = z.strictObject({ id: z.string(), name: z.string() });
const routes = {
  'GET /api/things/{id}': { responses: { 200: z.strictObject({ thing }) } },
  'POST /api/things': { responses: { 201: z.strictObject({ thing }), 200: null } },
  'DELETE /api/things/{id}': { responses: { 204: null } },
};

/** A tiny app whose routes answer whatever the test says, behind the response check. */
function siteWith(body: unknown, status: 200 | 201 | 202 = 200) {
  return new Hono()
    .use(responseCheck({ routes }))
    .get('/api/things/:id', (c) => c.json(body as object, status))
    .post('/api/things', (c) => c.json(body as object, status))
    .delete('/api/things/:id', (c) => c.body(null, 204))
    .get('/api/elsewhere', (c) => c.json({ anything: true }));
}

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe('response check (test mode)', () => {
  it('lets an answer that matches its schema through unchanged', async () => {
    const response = await siteWith({ thing: { id: '1', name: 'a' } }).request('/api/things/1');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ thing: { id: '1', name: 'a' } });
  });

  it('fails an answer carrying a field its schema lacks, naming the route and the field', async () => {
    const leaky = siteWith({ thing: { id: '1', name: 'a', passwordHash: 'secret' } });
    const response = await leaky.request('/api/things/1');
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.code).toBe('response_schema_mismatch');
    expect(error.message).toContain('GET /api/things/{id}');
    expect(error.message).toContain('passwordHash');
  });

  it('fails an answer missing a field, or with a field of the wrong type', async () => {
    for (const body of [{ thing: { id: '1' } }, { thing: { id: 1, name: 'a' } }, []]) {
      const response = await siteWith(body).request('/api/things/1');
      expect(response.status, JSON.stringify(body)).toBe(500);
      expect((await errorOf(response)).code).toBe('response_schema_mismatch');
    }
  });

  it('fails a success status the route does not document', async () => {
    const response = await siteWith({ thing: { id: '1', name: 'a' } }, 202).request(
      '/api/things/1',
    );
    expect(response.status).toBe(500);
    expect((await errorOf(response)).message).toContain('status 202 is not a documented answer');
  });

  it('fails a body on a status documented without one', async () => {
    const response = await siteWith({ thing: { id: '1', name: 'a' } }).request('/api/things', {
      method: 'POST',
    });
    expect(response.status).toBe(500);
    expect((await errorOf(response)).message).toContain('documented without a body');
  });

  it('picks the schema of the status answered', async () => {
    const response = await siteWith({ thing: { id: '1', name: 'a' } }, 201).request('/api/things', {
      method: 'POST',
    });
    expect(response.status).toBe(201);
  });

  it('leaves errors, empty answers and routes outside the contract alone', async () => {
    const site = siteWith({ thing: { id: '1', name: 'a' } });
    expect((await site.request('/api/things/1', { method: 'DELETE' })).status).toBe(204);
    expect((await site.request('/api/elsewhere')).status).toBe(200);
    expect((await site.request('/api/nope')).status).toBe(404);
  });
});
