// The application's id and its status token stay on this device, so the shop can come back for the answer.
export interface StoredApplication {
  id: string;
  token: string;
}

const KEY = "tegoed-shop-application";

export function loadApplication(): StoredApplication | null {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "null") as Partial<StoredApplication> | null;
    return value && typeof value.id === "string" && typeof value.token === "string" ? { id: value.id, token: value.token } : null;
  } catch {
    return null;
  }
}

export function saveApplication(application: StoredApplication): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(application));
  } catch {
    // nothing kept: the status page says to keep the confirmation
  }
}
