import { createServer, type Server, type Socket } from 'node:net';
import { startAzurite, type AzuriteHandle } from '../../scripts/lib/azurite';
import { ErrorCodes, isAppError, type AppError } from '../../src/domain/errors';
import { createStorage, type Storage } from '../../src/storage';
import { objectIds, principal, randomKey, randomPrefix, rejectionOf, TENANT } from './helpers';

const FAST_RETRIES = { maxRetries: 1, retryDelayInMs: 20, maxRetryDelayInMs: 50 };

function expectUnavailable(error: unknown): void {
  expect(isAppError(error, ErrorCodes.StorageUnavailable)).toBe(true);
  expect((error as AppError).retryable).toBe(true);
}

describe('storage outage', () => {
  let azurite: AzuriteHandle | undefined;

  afterEach(async () => {
    await azurite?.stop();
    azurite = undefined;
  });

  it('when Azurite goes away mid-run, then reads, writes, batches and ping fail with STORAGE_UNAVAILABLE instead of hanging', async () => {
    azurite = await startAzurite({ inMemory: true });
    const storage: Storage = await createStorage({
      connectionString: azurite.connectionString,
      tablePrefix: randomPrefix(),
      encryptionKey: randomKey(),
      retryOptions: FAST_RETRIES,
      requestTimeoutMs: 5_000,
    });
    await storage.principals.save(principal('before-outage'));
    await storage.ping();

    await azurite.stop();

    expectUnavailable(await rejectionOf(storage.principals.get(TENANT, 'before-outage')));
    expectUnavailable(await rejectionOf(storage.principals.save(principal('during-outage'))));
    expectUnavailable(await rejectionOf(storage.notices.claim({ tenantId: TENANT, objectId: 'o', kind: 'first', episode: 1 }, new Date())));
    expectUnavailable(await rejectionOf(storage.ping()));
    const batchError = await rejectionOf(storage.principals.saveMany(objectIds(3).map((id) => principal(id))));
    expectUnavailable(batchError);
    expect((batchError as AppError).details['objectIds']).toEqual(objectIds(3));
  }, 30_000);

  describe('when storage accepts connections but never answers', () => {
    let server: Server;
    const sockets = new Set<Socket>();
    let port = 0;

    beforeAll(async () => {
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      port = typeof address === 'object' && address !== null ? address.port : 0;
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('then createStorage fails with STORAGE_UNAVAILABLE after the request timeout', async () => {
      const connection = [
        'DefaultEndpointsProtocol=http',
        'AccountName=devstoreaccount1',
        'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
        `TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1`,
      ].join(';');

      const error = await rejectionOf(
        createStorage({ connectionString: connection, tablePrefix: randomPrefix(), encryptionKey: randomKey(), retryOptions: FAST_RETRIES, requestTimeoutMs: 300 }),
      );

      expectUnavailable(error);
    }, 15_000);
  });

  it('when the endpoint is plain http and not loopback, then createStorage refuses the configuration', async () => {
    const connection =
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://storage.example.com/devstoreaccount1';

    const error = await rejectionOf(createStorage({ connectionString: connection, tablePrefix: randomPrefix(), encryptionKey: randomKey() }));

    expect(isAppError(error, ErrorCodes.ConfigInvalid)).toBe(true);
    expect((error as AppError).message).not.toContain('AccountKey');
  });
});
