/**
 * Open connections per client address, shared by every kind of socket the server accepts (Yjs
 * WebSockets and socket.io), so one address cannot get past the cap by switching kinds.
 */
export class AddressBook {
  private readonly open = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxPerAddress: number,
    private readonly onChange: (total: number) => void = () => undefined,
  ) {}

  /** Counts a new connection from `ip`; false (nothing counted) when the address is at its cap. */
  tryOpen(ip: string): boolean {
    const n = this.open.get(ip) ?? 0;
    if (n >= this.maxPerAddress) return false;
    this.open.set(ip, n + 1);
    this.total++;
    this.onChange(this.total);
    return true;
  }

  close(ip: string): void {
    const n = (this.open.get(ip) ?? 0) - 1;
    if (n > 0) this.open.set(ip, n);
    else this.open.delete(ip);
    this.total = Math.max(0, this.total - 1);
    this.onChange(this.total);
  }

  count(ip: string): number {
    return this.open.get(ip) ?? 0;
  }
}
