package dev.flotilla.workflow.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON header of a safetensors file: building it for a model, and parsing and validating one read from disk.
 *
 * @param tensors  the tensors in the order of their data, with their byte ranges within the data section
 * @param metadata the {@code "__metadata__"} entries, empty if there are none
 */
record SafeTensorsHeader(List<Entry> tensors, Map<String, String> metadata) {
  static final String METADATA_KEY = "__metadata__";
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  /** One tensor: its name and shape, and where its bytes lie in the data section ({@code end} exclusive). */
  record Entry(TensorSpec spec, long begin, long end) {}

  /**
   * The header bytes for {@code weights}: UTF-8 JSON, tensors in model order and packed one after another, padded
   * with spaces to a multiple of 8 bytes so that the data section starts aligned.
   */
  static byte[] encode(ModelWeights weights, Map<String, String> metadata) {
    JsonObject root = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      metadata.forEach(meta::addProperty);
      root.add(METADATA_KEY, meta);
    }
    long offset = 0;
    for (Tensor t : weights.tensors()) {
      if (t.name().equals(METADATA_KEY)) {
        throw new IllegalArgumentException("a tensor may not be named '" + METADATA_KEY + "' in a safetensors file");
      }
      JsonObject info = new JsonObject();
      info.addProperty("dtype", "F32");
      JsonArray shape = new JsonArray();
      for (int d : t.shape()) {
        shape.add(d);
      }
      info.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offsets.add(offset + t.byteSize());
      info.add("data_offsets", offsets);
      root.add(t.name(), info);
      offset += t.byteSize();
    }
    byte[] json = GSON.toJson(root).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    byte[] header = new byte[padded];
    System.arraycopy(json, 0, header, 0, json.length);
    Arrays.fill(header, json.length, padded, (byte) ' ');
    return header;
  }

  /**
   * Parses and validates a header: strict JSON object; every tensor F32 with a shape of non-negative integers
   * whose product × 4 is its byte length; byte ranges that tile {@code [0, dataLength)} exactly, without gap or
   * overlap; metadata of strings only.
   *
   * @param json       the header text
   * @param dataLength bytes in the file after the header
   * @throws FlotillaException naming the tensor and the value that is wrong
   */
  static SafeTensorsHeader decode(String json, long dataLength) {
    JsonObject root = parseObject(json);
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> tensors = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : root.entrySet()) {
      if (e.getKey().equals(METADATA_KEY)) {
        metadata = metadata(e.getValue());
      } else {
        tensors.add(entry(e.getKey(), e.getValue()));
      }
    }
    tensors.sort(Comparator.comparingLong(Entry::begin));
    long expectedBegin = 0;
    for (Entry t : tensors) {
      if (t.begin() != expectedBegin) {
        throw new FlotillaException("tensor '" + t.spec().name() + "' data starts at byte " + t.begin() + ", expected "
            + expectedBegin + " (tensors must be packed without gaps or overlaps)");
      }
      expectedBegin = t.end();
    }
    if (expectedBegin != dataLength) {
      throw new FlotillaException(
          "tensor data ends at byte " + expectedBegin + " but the file holds " + dataLength + " bytes of data");
    }
    return new SafeTensorsHeader(List.copyOf(tensors), Map.copyOf(metadata));
  }

  private static JsonObject parseObject(String json) {
    JsonReader reader = new JsonReader(new StringReader(json));
    reader.setStrictness(Strictness.STRICT);
    JsonObject root;
    try {
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        throw new FlotillaException("header is not a JSON object: it starts with " + reader.peek());
      }
      root = GSON.getAdapter(JsonObject.class).read(reader);
    } catch (IOException | JsonParseException | IllegalStateException e) {
      throw new FlotillaException("header is not valid JSON: " + firstLine(e.getMessage()), e);
    }
    try {
      if (reader.peek() == JsonToken.END_DOCUMENT) {
        return root;
      }
    } catch (IOException e) {
      // a second value or stray characters: reported below
    }
    throw new FlotillaException("header has text after its JSON object");
  }

  /** Gson appends a troubleshooting link on a second line; the first says what is wrong and where. */
  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  private static Map<String, String> metadata(JsonElement value) {
    if (!value.isJsonObject()) {
      throw new FlotillaException("'" + METADATA_KEY + "' must be an object of strings, got " + value);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : value.getAsJsonObject().entrySet()) {
      JsonElement v = e.getValue();
      if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
        throw new FlotillaException("metadata '" + e.getKey() + "' must be a string, got " + v);
      }
      metadata.put(e.getKey(), v.getAsString());
    }
    return metadata;
  }

  private static Entry entry(String name, JsonElement value) {
    if (name.isEmpty()) {
      throw new FlotillaException("a tensor has an empty name");
    }
    if (!value.isJsonObject()) {
      throw new FlotillaException("tensor '" + name + "' must be described by an object, got " + value);
    }
    JsonObject info = value.getAsJsonObject();
    JsonElement dtype = info.get("dtype");
    if (dtype == null || !dtype.isJsonPrimitive() || !dtype.getAsString().equals("F32")) {
      throw new FlotillaException("tensor '" + name + "' has dtype " + dtype + "; Flotilla reads only F32");
    }
    long[] dims = integers(name, "shape", info.get("shape"), -1);
    long[] offsets = integers(name, "data_offsets", info.get("data_offsets"), 2);
    String where = "tensor '" + name + "' of shape " + Arrays.toString(dims) + " with data_offsets "
        + Arrays.toString(offsets);
    int[] shape = new int[dims.length];
    long bytes = 4;
    try {
      for (int i = 0; i < dims.length; i++) {
        shape[i] = Math.toIntExact(dims[i]);
        bytes = Math.multiplyExact(bytes, dims[i]);
      }
    } catch (ArithmeticException e) {
      throw new FlotillaException(where + " is too large for one array");
    }
    if (offsets[1] - offsets[0] != bytes) {
      throw new FlotillaException(where + " needs " + bytes + " bytes but its offsets hold " + (offsets[1] - offsets[0]));
    }
    try {
      return new Entry(new TensorSpec(name, shape), offsets[0], offsets[1]);
    } catch (IllegalArgumentException e) {
      throw new FlotillaException(where + ": " + e.getMessage(), e);
    }
  }

  /** A JSON array of non-negative integers, of length {@code length} unless it is negative. */
  private static long[] integers(String tensor, String key, JsonElement value, int length) {
    if (value == null || !value.isJsonArray() || (length >= 0 && value.getAsJsonArray().size() != length)) {
      String what = length >= 0 ? "an array of " + length + " integers" : "an array of integers";
      throw new FlotillaException("tensor '" + tensor + "' needs '" + key + "' as " + what + ", got " + value);
    }
    JsonArray array = value.getAsJsonArray();
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement v = array.get(i);
      if (!(v instanceof JsonPrimitive p) || !p.isNumber() || !isNonNegativeInteger(p.getAsString())) {
        throw new FlotillaException("tensor '" + tensor + "' has '" + key + "' " + value
            + " holding " + v + ", not a non-negative integer");
      }
      out[i] = p.getAsLong();
    }
    return out;
  }

  private static boolean isNonNegativeInteger(String text) {
    return text.matches("[0-9]{1,18}");
  }
}
