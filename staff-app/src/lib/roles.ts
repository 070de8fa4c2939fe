// What each staff role may do: the sdk's table, the same the backend builds its route guards from. The
// UI shows only what the user's roles allow; the backend refuses the rest anyway.
export { STAFF_ACTIONS as ACTIONS, staffMay as can, type StaffAction as Action } from "@tegoed/sdk";
