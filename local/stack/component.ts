// A piece of the local stack (Azurite, the IoT Hub simulator, the Event Hubs
// endpoint, ...). Components start in order; each can read what earlier ones
// provided and adds app settings and `.local/stack.json` fields of its own.

export interface StackContext {
  /** Folder for persistent local state (`.local/`). */
  readonly stateDir: string;
  /** Keep data in memory instead of under stateDir. */
  readonly inMemory: boolean;
  /** Port of the local Event Hubs endpoint (5672 like the emulator; 0 picks a free one). */
  readonly eventHubsPort: number;
  /** App settings provided so far by earlier components. */
  readonly settings: Readonly<Record<string, string>>;
  readonly log: (message: string) => void;
}

export interface StartedComponent {
  readonly settings?: Readonly<Record<string, string>>;
  readonly stackInfo?: Readonly<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface StackComponent {
  readonly name: string;
  start(context: StackContext): Promise<StartedComponent>;
}
