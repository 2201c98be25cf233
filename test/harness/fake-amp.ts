/**
 * A stateful in-memory AMP (the scraper part) on aws-sdk-client-mock: DescribeScraper answers from
 * the scrapers it holds, ResourceNotFoundException otherwise, as AMP does.
 */
import { AmpClient, DescribeScraperCommand, ResourceNotFoundException, ScraperDescription } from '@aws-sdk/client-amp';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';

export interface FakeScraper {
  readonly scraperId: string;
  readonly arn: string;
  readonly sourceRoleArn: string;
  readonly targetRoleArn?: string;
  /** The service-linked role AMP reports (with or without a path, as AWS's pages show both). */
  readonly roleArn: string;
  readonly statusCode?: string;
}

export class FakeAmp {
  readonly scrapers = new Map<string, FakeScraper>();
  /** Every call, as "Command(scraperId)". */
  readonly calls: string[] = [];
  readonly stub: AwsStub<any, any, any>;

  constructor() {
    this.stub = mockClient(AmpClient);
    this.stub.on(DescribeScraperCommand).callsFake(async (input: { scraperId: string }) => {
      this.calls.push(`DescribeScraper(${input.scraperId})`);
      const scraper = this.scrapers.get(input.scraperId);
      if (!scraper) throw new ResourceNotFoundException({ message: `Scraper ${input.scraperId} not found`, $metadata: {}, resourceId: input.scraperId, resourceType: 'scraper' });
      const description: Partial<ScraperDescription> = {
        scraperId: scraper.scraperId,
        arn: scraper.arn,
        roleArn: scraper.roleArn,
        status: { statusCode: (scraper.statusCode ?? 'ACTIVE') as any },
        roleConfiguration: { sourceRoleArn: scraper.sourceRoleArn, targetRoleArn: scraper.targetRoleArn },
      };
      return { scraper: description };
    });
  }

  seed(scraper: FakeScraper): void {
    this.scrapers.set(scraper.scraperId, scraper);
  }

  restore(): void {
    this.stub.restore();
  }
}
