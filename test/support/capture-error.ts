/** What `action` throws, or undefined when it returns: for asserting on an error's fields, not just its message. */
export function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
