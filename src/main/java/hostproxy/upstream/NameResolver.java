package hostproxy.upstream;

import java.util.concurrent.CompletionStage;

/** Resolves a backend name to all its addresses, without blocking the caller. */
interface NameResolver extends AutoCloseable {
    CompletionStage<Resolution> resolve(String name);

    @Override
    void close();
}
