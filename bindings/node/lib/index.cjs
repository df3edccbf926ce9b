'use strict';
// DigitalOcean's Retrieve a Droplet Action (GET /v2/droplets/{droplet_id}/actions/{action_id})
// through the droplet-action C library.

const { Client, defaults, libraryVersion, threads } = require('./client.cjs');
const errors = require('./errors.cjs');
const { ActionStatus } = require('./model.cjs');

module.exports = {
  Client,
  ActionStatus,
  Status: errors.Status,
  DropletActionError: errors.DropletActionError,
  InvalidArgumentError: errors.InvalidArgumentError,
  TransportError: errors.TransportError,
  TimeoutError: errors.TimeoutError,
  ApiError: errors.ApiError,
  DecodeError: errors.DecodeError,
  BodyTooLargeError: errors.BodyTooLargeError,
  ActionErroredError: errors.ActionErroredError,
  InternalError: errors.InternalError,
  CancelledError: errors.CancelledError,
  RateLimitedError: errors.RateLimitedError,
  defaults,
  libraryVersion,
  threads,
};
