"""Implementation every process shares: engine setup, mounts, worker
pools, the WSGI server and process start-up. Not a contract: the contracts
(conf, exception, context, rpc, rest) never import it."""
