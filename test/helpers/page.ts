/**
 * Browser-side steps shared by the end-to-end tests.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Fills the join dialog of a session page and waits until this browser has joined. When the name
 * is already in the roster, the page asks whether it is the same person: `as` answers it ("me":
 * that member on another device, "other": a second person of that name).
 */
export async function join(page: Page, name: string, as: 'me' | 'other' = 'me'): Promise<void> {
  const dialog = page.getByRole('dialog', { name: /join/i });
  await dialog.getByLabel('Your name').fill(name);
  await dialog.getByRole('button', { name: 'Join the mob' }).click();
  await expect.poll(() => page.getByRole('dialog', { name: /join/i }).count()).toBe(0);
  const same = page.getByRole('dialog', { name: `${name} is already here` });
  const joined = page.getByRole('button', { name: new RegExp(`^You: ${name}`) });
  await expect.poll(async () => (await same.count()) + (await joined.count()), { timeout: 15_000 }).toBeGreaterThan(0);
  if ((await same.count()) > 0) {
    await same.getByRole('button', { name: as === 'me' ? 'That’s me, on another device' : 'I’m someone else' }).click();
    await expect.poll(() => joined.count(), { timeout: 15_000 }).toBeGreaterThan(0);
  }
}
