package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Jackson's YAML parser, bounded as {@link YamlTreeReader} needs, keeping what each anchor names: a
 * scalar's event, replayed in place of its aliases so that Jackson types it as written (keys
 * included); or, for a mapping or sequence, a marker while it is read, which {@link YamlTreeReader}
 * then replaces with its node and puts in place of its aliases.
 */
final class AnchoringYamlParser extends YAMLParser {
  private static final Factory FACTORY = new Factory();

  /** By anchor name: a {@link ScalarEvent}, a node, or a marker for a node being read. */
  final Map<String, Object> anchors = new HashMap<>();

  private AnchoringYamlParser(
      IOContext ctxt,
      int parserFeatures,
      int yamlFeatures,
      LoaderOptions options,
      ObjectCodec codec,
      Reader reader) {
    super(ctxt, parserFeatures, yamlFeatures, options, codec, reader);
  }

  static AnchoringYamlParser of(String text) throws IOException {
    return (AnchoringYamlParser) FACTORY.createParser(new StringReader(text));
  }

  @Override
  protected Event getEvent() throws IOException {
    Event event = super.getEvent();
    if (event instanceof AliasEvent alias) {
      if (anchors.get(alias.getAnchor()) instanceof ScalarEvent s) {
        return new ScalarEvent(
            null,
            s.getTag(),
            s.getImplicit(),
            s.getValue(),
            alias.getStartMark(),
            alias.getEndMark(),
            s.getScalarStyle());
      }
    } else if (event instanceof NodeEvent node && node.getAnchor() != null) {
      anchors.put(node.getAnchor(), event instanceof ScalarEvent ? event : new Object());
    }
    return event;
  }

  /** The event behind the current token. */
  Event lastEvent() {
    return _lastEvent;
  }

  private static final class Factory extends YAMLFactory {
    Factory() {
      super(bounded());
    }

    private static YAMLFactoryBuilder bounded() {
      LoaderOptions options = new LoaderOptions();
      // The scanner's own bound on what it reads: never reached, since documents are cut at
      // MAX_DOCUMENT_BYTES (a code point is at least a byte) and one line end may be added.
      options.setCodePointLimit(ManifestParser.MAX_DOCUMENT_BYTES + 1);
      // Only SnakeYAML's composer reads these, and Jackson reads events instead: YamlTreeReader
      // bounds aliases and nesting itself. Set alike, so that no reader with these options allows
      // more. (Duplicate keys are left allowed here: Jackson would refuse them as a syntax error
      // without the field's path; YamlTreeReader refuses them itself.)
      options.setMaxAliasesForCollections(YamlTreeReader.MAX_NODES);
      options.setNestingDepthLimit(YamlTreeReader.MAX_DEPTH);
      return YAMLFactory.builder()
          .loaderOptions(options)
          // As "new YAMLFactory()" has it, which the builder does not.
          .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
          // One level more than YamlTreeReader allows, so that its refusal, which names the field,
          // comes first.
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(YamlTreeReader.MAX_DEPTH + 1)
                  .build());
    }

    @Override
    protected YAMLParser _createParser(Reader r, IOContext ctxt) throws IOException {
      return new AnchoringYamlParser(
          ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
    }
  }
}
