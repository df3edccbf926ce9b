// The ECMAScript module entry point: the same objects as the CommonJS one (lib/index.cjs).
import droplet from './lib/index.cjs';

export const {
  Client,
  ActionStatus,
  Status,
  DropletActionError,
  InvalidArgumentError,
  TransportError,
  TimeoutError,
  ApiError,
  DecodeError,
  BodyTooLargeError,
  ActionErroredError,
  InternalError,
  CancelledError,
  RateLimitedError,
  defaults,
  libraryVersion,
  threads,
} = droplet;
