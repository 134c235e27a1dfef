import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebound.client.Outcome;
import dev.rebound.client.ReboundClient;

/**
 * An agent's one call through Rebound. Run with the client jar, kafka-clients and Jackson on the class path:
 * java -cp 'rebound-client.jar:libs/*' ExampleAgent.java localhost:9092 "" openai-chat '{"messages":[...]}'
 */
public final class ExampleAgent {
    public static void main(final String[] args) throws Exception {
        final String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
        final String prefix = args.length > 1 ? args[1] : "";
        final String target = args.length > 2 ? args[2] : "openai-chat";
        final String payload = args.length > 3 ? args[3] : "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
        try (ReboundClient client = ReboundClient.builder(bootstrap).topicPrefix(prefix).build()) {
            final Outcome outcome = client.call(target, new ObjectMapper().readTree(payload)).get();
            if (outcome instanceof Outcome.Result r) {
                System.out.println("answer: " + r.response());
            } else if (outcome instanceof Outcome.DeadLetter d) {
                System.out.println("dead letter: " + d.reason() + ": " + d.message());
            }
        }
    }
}
