// The admin token lives in sessionStorage: it survives a reload but not the tab, and sign-out forgets it.

const KEY = "tollgate.adminToken";

export interface TokenStore {
  read(): string | undefined;
  write(token: string): void;
  forget(): void;
}

export function tokenStore(storage: Storage): TokenStore {
  return {
    read: () => storage.getItem(KEY) || undefined,
    write: (token) => storage.setItem(KEY, token),
    forget: () => storage.removeItem(KEY),
  };
}
