// Writes the reference bodies of the Snappy and HADOOP_SNAPPY compression tests with
// snappy-java (Debian's libsnappy-java), the library whose output AWS's Firehose objects
// match byte for byte. Run by make_snappy_java_vectors.sh; not part of the build.
//
// usage: java -cp /usr/share/java/snappy-java.jar SnappyJavaVectors.java IN OUT_STREAM OUT_HADOOP
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xerial.snappy.SnappyHadoopCompatibleOutputStream;
import org.xerial.snappy.SnappyOutputStream;

public class SnappyJavaVectors {
  // Writes `data` as a delivery would: record-sized writes of varying length.
  static void writeInPieces(OutputStream out, byte[] data) throws Exception {
    int off = 0;
    int step = 1;
    while (off < data.length) {
      int n = Math.min(step, data.length - off);
      out.write(data, off, n);
      off += n;
      step = step * 7 % 5003 + 1;
    }
    out.close();
  }

  public static void main(String[] args) throws Exception {
    byte[] data = Files.readAllBytes(Path.of(args[0]));
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    writeInPieces(new SnappyOutputStream(stream), data);
    Files.write(Path.of(args[1]), stream.toByteArray());
    ByteArrayOutputStream hadoop = new ByteArrayOutputStream();
    writeInPieces(new SnappyHadoopCompatibleOutputStream(hadoop), data);
    Files.write(Path.of(args[2]), hadoop.toByteArray());
  }
}
