# Rebound's image: built with Maven on a JDK 17, run on a JRE 17 as a non-root user.
#   docker build -t rebound .
#   docker run --rm -v "$PWD/examples:/config:ro" -e KAFKA_BOOTSTRAP=broker:9092 -p 8079:8079 rebound
# The configuration is mounted at /config; for /metrics to be reachable through a published
# port, set `ops: { bind: 0.0.0.0 }` in it (the default, 127.0.0.1, answers only inside).
# docker-compose.yml builds this image for the broker-and-simulator setup.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# the dependencies first, in their own layer: a change to the sources does not download them again
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY topics topics
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin rebound
COPY --from=build /build/target/rebound.jar /app/rebound.jar
USER 10001
WORKDIR /tmp
EXPOSE 8079
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/rebound.jar"]
CMD ["run", "--config", "/config/rebound.yaml"]
