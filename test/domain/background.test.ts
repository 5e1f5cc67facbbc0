import { BackgroundTasks } from '../../src/app/background';
import { silentLogger } from '../support/silent-logger';


describe('BackgroundTasks', () => {
  it('when a task fails, then the failure is logged and drain still finishes', async () => {
    const errors: unknown[] = [];
    const tasks = new BackgroundTasks({ ...silentLogger, error: (obj) => void errors.push(obj) });
    tasks.run('boom', () => Promise.reject(new Error('boom')));
    await tasks.drain();
    expect(errors).toHaveLength(1);
    expect(tasks.size).toBe(0);
  });

  it('when a task outlives the drain limit, then drain returns and reports it unfinished', async () => {
    const tasks = new BackgroundTasks(silentLogger);
    let release: () => void = () => undefined;
    tasks.run('waits for an admin', () => new Promise<void>((resolve) => (release = resolve)));
    expect(await tasks.drain(20)).toEqual({ unfinished: 1 });
    release();
    expect(await tasks.drain(1000)).toEqual({ unfinished: 0 });
  });
});
