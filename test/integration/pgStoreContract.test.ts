/** The Store contract (test/contract/store.contract.ts) against the PostgreSQL cluster store, each store on a fresh database. */
import { afterAll } from 'vitest';
import { openPgStore } from '../../server/cluster/pgStore';
import type { Store } from '../../server/store/types';
import { storeContract } from '../contract/store.contract';
import { testDatabases } from '../helpers/postgres';

const databases = testDatabases();
const urls = new WeakMap<Store, string>();
afterAll(() => databases.dropAll());

storeContract('PostgreSQL', {
  async open() {
    const url = await databases.create();
    const store = await openPgStore(url, { poolSize: 4 });
    urls.set(store, url);
    return store;
  },
  async reopen(store) {
    const url = urls.get(store) as string;
    await store.close();
    const again = await openPgStore(url, { poolSize: 4 });
    urls.set(again, url);
    return again;
  },
});
