/** The Store contract (test/contract/store.contract.ts) against the embedded SQLite store. */
import { openSqliteStore } from '../../server/store/sqlite';
import type { Store } from '../../server/store/types';
import { storeContract } from '../contract/store.contract';
import { tempDir } from '../helpers/server';

const dirs = new WeakMap<Store, string>();
storeContract('SQLite', {
  async open() {
    const dir = tempDir('mobflow-contract-');
    const store = openSqliteStore(dir);
    dirs.set(store, dir);
    return store;
  },
  async reopen(store) {
    const dir = dirs.get(store) as string;
    await store.close();
    const again = openSqliteStore(dir);
    dirs.set(again, dir);
    return again;
  },
});
