import { TableClient } from '@azure/data-tables';
import { TABLES, tableName } from '../../src/storage';
import { storageConnectionString, type BotHarness } from './bot-harness';

/** Every entity of every table of the harness's bot (key and ETag), to prove that nothing changed. */
export async function storageSnapshot(h: BotHarness): Promise<string[]> {
  const rows: string[] = [];
  for (const name of Object.values(TABLES)) {
    const table = TableClient.fromConnectionString(storageConnectionString(h), tableName(h.config.storage.tablePrefix, name), { allowInsecureConnection: true });
    try {
      for await (const e of table.listEntities()) rows.push(`${name}|${e.partitionKey ?? ''}|${e.rowKey ?? ''}|${e.etag}`);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) continue; // a table nobody created yet
      throw error;
    }
  }
  return rows.sort();
}
