/**
 * Browser-side steps shared by the end-to-end tests.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Fills the join dialog of a session page and waits for it to close. */
export async function join(page: Page, name: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: /join/i });
  await dialog.getByLabel('Your name').fill(name);
  await dialog.getByRole('button', { name: 'Join the mob' }).click();
  await expect.poll(() => page.getByRole('dialog', { name: /join/i }).count()).toBe(0);
}
