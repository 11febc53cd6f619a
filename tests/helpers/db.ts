import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations, openDatabase, type Database, type OpenDatabaseOptions } from '../../src/server/db/index.js';

/** A fresh, migrated database for one test file, dropped by `drop()`. */
export interface TestDatabase extends Database {
  url: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.PARLEY_TEST_ADMIN_URL;
  if (!url) throw new Error('PARLEY_TEST_ADMIN_URL is not set: run the tests with `npm test`.');
  return url;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(options: OpenDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `parley_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database ${c.escapeIdentifier(name)}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const database = openDatabase(url.toString(), options);
  await applyMigrations(database.db);
  return {
    ...database,
    url: url.toString(),
    async drop() {
      await database.close();
      await admin((c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`));
    },
  };
}
