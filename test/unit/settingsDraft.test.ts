import { describe, expect, it } from 'vitest';
import { fieldValues, settingOf, touchedPatch } from '../../app/_components/settingsDraft';
import { DEFAULT_SETTINGS } from '../../lib/doc/schema';

describe('settings draft', () => {
  it('maps form fields to settings and sends only the touched ones', () => {
    expect(settingOf('turnMinutes')).toBe('turnSeconds');
    expect(settingOf('breakSeconds')).toBe('breakSeconds');
    expect(settingOf('nope')).toBeNull();
    const typed = { ...DEFAULT_SETTINGS, turnSeconds: 45, breakEvery: 9 };
    expect(touchedPatch(typed, new Set(['turnSeconds']))).toEqual({ turnSeconds: 45 });
    expect(fieldValues({ ...DEFAULT_SETTINGS, turnSeconds: 61 })).toMatchObject({ turnMinutes: '1', turnSeconds: '1' });
  });
});

import { undoKey } from '../../app/_hooks/undoKeys';

describe('undo keys', () => {
  const k = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) =>
    undoKey({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
  it('knows undo and redo on every platform, and nothing else', () => {
    expect(k('z', { ctrlKey: true })).toBe('undo');
    expect(k('Z', { metaKey: true, shiftKey: true })).toBe('redo');
    expect(k('y', { ctrlKey: true })).toBe('redo');
    expect(k('z')).toBeNull();
    expect(k('z', { ctrlKey: true, altKey: true })).toBeNull();
    expect(k('y', { metaKey: true })).toBeNull();
  });
});
