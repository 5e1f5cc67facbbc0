import { takeAzuriteHandle } from './jest-global-setup';

export default async function globalTeardown(): Promise<void> {
  await takeAzuriteHandle()?.stop();
}
