package dev.mizzen.pilot.cmd;

import dev.mizzen.ingest.file.ManifestFiles;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.parse.ManifestParser;
import dev.mizzen.ingest.parse.ParseResult;
import dev.mizzen.ingest.store.ConfigSnapshot;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.tenancy.MemberRollResolver;
import dev.mizzen.tenancy.Membership;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Manifests read offline as the directory source reads them, for {@code validate} and {@code
 * analyze}: every file of the inputs (directories recursively), each document translated, all held
 * in one store.
 *
 * @param files the files read
 * @param results what each document became, in order
 * @param snapshot the store's snapshot of them
 */
record Manifests(List<Path> files, List<ParseResult> results, ConfigSnapshot snapshot) {
  /** Progress goes to stderr past this many files, every this many. */
  private static final int PROGRESS_EVERY = 200;

  /**
   * Reads {@code inputs}; a file that cannot be read is reported as its documents would be, and the
   * others are read.
   *
   * @throws NoSuchFileException when an input does not exist
   */
  static Manifests read(List<Path> inputs, PrintWriter err) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path input : inputs) {
      if (Files.isDirectory(input)) {
        files.addAll(ManifestFiles.list(input));
      } else if (Files.isRegularFile(input)) {
        files.add(input);
      } else {
        throw new NoSuchFileException(input.toString());
      }
    }
    ManifestParser parser = new ManifestParser();
    ConfigStore store = new ConfigStore();
    List<ParseResult> all = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      List<ParseResult> results;
      try {
        results = ManifestFiles.read(parser, file);
      } catch (IOException e) {
        // As when serving: the file is reported and the others are judged.
        results = ManifestFiles.unreadable(file, e);
      }
      store.replace(ManifestFiles.key(file), results);
      all.addAll(results);
      if (files.size() > PROGRESS_EVERY && (i + 1) % PROGRESS_EVERY == 0) {
        err.println("read " + (i + 1) + "/" + files.size() + " files");
        err.flush();
      }
    }
    return new Manifests(List.copyOf(files), List.copyOf(all), store.snapshot());
  }

  /**
   * As serving from a directory when the manifests hold the member roll; without one, every
   * namespace they name is judged, as a check of manifests rather than of a deployment.
   */
  Membership membership(String controlPlaneNamespace, String memberRollName) {
    MemberRollResolver resolver = new MemberRollResolver(controlPlaneNamespace, memberRollName);
    if (resolver.roll(snapshot).isPresent()) {
      return resolver.resolve(snapshot);
    }
    Set<String> namespaces = new TreeSet<>();
    for (Kind<?> kind : Kind.all()) {
      for (Config<?> c : snapshot.list(kind)) {
        namespaces.add(kind.namespaced() ? c.namespace() : c.name());
      }
    }
    for (ConfigError e : snapshot.errors()) {
      namespaces.add(e.namespace());
    }
    namespaces.remove("");
    namespaces.remove(controlPlaneNamespace);
    return Membership.of(controlPlaneNamespace, namespaces);
  }
}
