-- write_to_s3's objects (one JSON array of trips per batch), beside the reference's
-- taxi_trajectories over the delivery stream's JSON lines: the columns to check a trip.
CREATE DATABASE IF NOT EXISTS events;

CREATE EXTERNAL TABLE IF NOT EXISTS events.taxi_batches (
  trip_id string,
  taxi_id int,
  polyline string,
  event_id string
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS TEXTFILE
LOCATION 's3://streaming-pipeline-dev-output/context=write_to_s3/';
