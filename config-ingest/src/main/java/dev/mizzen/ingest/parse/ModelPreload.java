package dev.mizzen.ingest.parse;

import org.slf4j.LoggerFactory;

/**
 * Prepares the readers of the models the translators use on a thread of its own, so that a
 * command's start (parsing its options, logging, metrics, reading files) overlaps with Jackson
 * looking at the model classes rather than waiting for it at the first object read, as Spring
 * Boot's background pre-initializer does for the same libraries.
 */
public final class ModelPreload {
  private ModelPreload() {}

  /** Starts preparing on a daemon thread and returns at once. */
  public static void start() {
    Thread t =
        new Thread(
            () -> {
              try {
                Mappers.prepareStrict();
                ProtoJson.prepare();
                Mappers.prepareLenient();
              } catch (RuntimeException | LinkageError e) {
                // The first read of each model prepares it anyway, and reports what is wrong.
                LoggerFactory.getLogger(ModelPreload.class)
                    .debug("preparing the model readers failed", e);
              }
            },
            "mizzen-model-preload");
    t.setDaemon(true);
    t.start();
  }
}
